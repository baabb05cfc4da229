/** A translator / processor option is invalid. Thrown up front, never while translating spans. */
export class SpantrackConfigError extends Error {
  override readonly name = 'SpantrackConfigError';
  /** The option at fault, as a path: `catalogs[2]`, `privacy.maxEventBytes`, ... */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

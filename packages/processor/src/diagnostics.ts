/** Why a span, a value or an event did not make it out unchanged. */
export const DiagnosticCode = {
  /** No source recognised the span: it yields nothing. Not an error, counted all the same. */
  UNRECOGNISED: 'unrecognised',
  /** An attribute had a malformed value (confidence 7, negative tokens, a huge id): it was dropped. */
  INVALID_ATTRIBUTE: 'invalid_attribute',
  /** The span itself is malformed (missing or non-hex ids, unusable times). */
  INVALID_SPAN: 'invalid_span',
  /** `spantrack.interaction.kind` holds a value that is not an `InteractionKind`. */
  UNKNOWN_KIND: 'unknown_kind',
  /** A customer-signals `*.event` attribute names no documented event: nothing emitted. */
  UNKNOWN_EVENT: 'unknown_event',
  /** A field the event cannot go without is missing: that event was not emitted. */
  MISSING_REQUIRED: 'missing_required',
  /** A catalog (usually a user-defined one) threw; the other catalogs still ran. */
  CATALOG_ERROR: 'catalog_error',
  /** An interaction source threw while recognising a span; the span yields nothing. */
  SOURCE_ERROR: 'source_error',
  /** The `redact` hook threw or returned a non-string: the value was dropped. */
  REDACT_ERROR: 'redact_error',
  /** A value was cut (or user properties dropped) to keep the event under the size cap. */
  TRUNCATED: 'truncated',
  /** The event could not be brought under the size cap: it was not emitted. */
  EVENT_TOO_LARGE: 'event_too_large',
  /** A model call has token counts but its model has no price: its events carry no `cost_usd`. */
  UNPRICED_MODEL: 'unpriced_model',
} as const;
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

/** One problem found while translating one span. */
export interface Diagnostic {
  code: DiagnosticCode;
  message: string;
  traceId: string;
  spanId: string;
  /** The catalog that reported it, when a catalog did. */
  catalog?: string;
  /** The event concerned, when one is. */
  event?: string;
  /** The span attribute (or message field path) concerned, when one is. */
  attribute?: string;
}

const ALL_CODES = Object.values(DiagnosticCode);

/** Running totals of diagnostics, for metrics and health endpoints. */
export class DiagnosticCounter {
  /** Spans seen. */
  spans = 0;
  /** Spans no interaction source recognised: not an error, just not ours. */
  unrecognised = 0;
  /** Diagnostics of every code but `unrecognised`. */
  total = 0;
  readonly byCode: Record<DiagnosticCode, number>;

  constructor() {
    const byCode = {} as Record<DiagnosticCode, number>;
    for (const code of ALL_CODES) byCode[code] = 0;
    this.byCode = byCode;
  }

  /** Counts the outcome of one `translate` call. */
  record(result: { recognised: boolean; diagnostics: readonly Diagnostic[] }): void {
    this.spans++;
    if (!result.recognised) this.unrecognised++;
    const diagnostics = result.diagnostics;
    for (let i = 0; i < diagnostics.length; i++) {
      const code = diagnostics[i]!.code;
      this.byCode[code] = (this.byCode[code] ?? 0) + 1;
      if (code !== DiagnosticCode.UNRECOGNISED) this.total++;
    }
  }

  reset(): void {
    this.spans = 0;
    this.unrecognised = 0;
    this.total = 0;
    for (const code of ALL_CODES) this.byCode[code] = 0;
  }
}

/** Shared empty list, so a span without problems allocates no diagnostics array. */
export const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

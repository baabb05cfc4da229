/** Deprecation notices already given in this process: each is said once, however often it is read. */
const said = new Set<string>();

export function deprecatedOnce(key: string, message: string, warn: (message: string) => void): void {
  if (said.has(key)) return;
  said.add(key);
  warn(message);
}

/** RFC 9110 `token`: a header field name. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than horizontal tab are invalid in a header field value. */
const HEADER_VALUE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Why Node would refuse this header on every request, or undefined when it is valid. */
export function invalidHeaderReason(name: string, value: string): string | undefined {
  if (!HTTP_TOKEN.test(name)) return `${JSON.stringify(name)} is not a valid HTTP header name`;
  if (HEADER_VALUE_FORBIDDEN.test(value))
    return 'its value contains a control character (CR, LF, NUL, ...), which HTTP forbids';
  return undefined;
}

/** The headers Node would send: entries it would refuse are left out. */
export function validHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (invalidHeaderReason(name, String(value)) === undefined) out[name] = value;
  return out;
}

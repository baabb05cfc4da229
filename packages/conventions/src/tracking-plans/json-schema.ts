/** A JSON type name as JSON Schema spells it. */
export type JsonSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * The subset of draft-07 JSON Schema the tracking plans use, and the only keywords
 * `validateMessage` understands. Annotations (`description`, `default`, `examples`, `$comment`,
 * `title`, any `x-*` keyword) are ignored when validating; any other keyword is reported as
 * unsupported rather than silently skipped.
 */
export interface JsonSchema {
  $schema?: string;
  $comment?: string;
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  type?: JsonSchemaType | JsonSchemaType[];
  enum?: unknown[];
  const?: unknown;
  /** Objects. */
  properties?: Record<string, JsonSchema>;
  required?: string[];
  /** Default true (draft-07): undeclared properties are allowed. */
  additionalProperties?: boolean | JsonSchema;
  /** Arrays. */
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  /** Numbers. */
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** Strings. */
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Only `date-time` (RFC 3339) is checked; other formats are annotations. */
  format?: string;
  /** spantrack annotation: the property is message content, sent only with content capture on. */
  'x-spantrack-content'?: boolean;
  /** spantrack annotation: a property spantrack sends beyond the source document (tokens, cost, error class). */
  'x-spantrack-addition'?: boolean;
}

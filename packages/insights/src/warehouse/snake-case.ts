/**
 * Segment's warehouse naming: collection and property names go from CamelCase to snake_case
 * (`conversationId` → `conversation_id`, `Message Received` → `message_received`,
 * `ai.classification` → `ai_classification`): a word break before an upper-case letter that
 * follows a lower-case letter or digit, every run of other characters becomes one `_`.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

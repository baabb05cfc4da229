// The demo agent of `npm start`: the three runnable examples in one process, so one OTLP stream
// carries all three catalogs (the AI agent tracking plan's WhatsApp flow, a conversation of
// Segment's AI Copilot spec, and the customer-signals tracking plan's signals, triage, replies and
// outcomes). Spans go to the global tracer provider: set one up first
// (main.mjs does, with @spantrack/node).
import { run as runCustomerSignals } from '@spantrack/example-customer-signals';
import { run as runSupportCopilot } from '@spantrack/example-support-copilot';
import { run as runWhatsappIntentBot } from '@spantrack/example-whatsapp-intent-bot';

export { catalogOf, formatSummary, groupByCatalog, summarize } from './summary.mjs';

/**
 * Runs the three examples one after the other.
 * @param {{ log?: (line: string) => void, runId?: string }} [options]
 */
export async function run(options = {}) {
  const log = options.log ?? (() => {});
  const prefixed = (name) => (line) => {
    for (const l of line.split('\n')) log(`  [${name}] ${l}`);
  };
  const whatsapp = await runWhatsappIntentBot({ log: prefixed('whatsapp-intent-bot'), runId: options.runId });
  const copilot = await runSupportCopilot({ log: prefixed('support-copilot') });
  const signals = await runCustomerSignals({ log: prefixed('customer-signals') });
  return { whatsapp, copilot, signals };
}

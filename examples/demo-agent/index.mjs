// The demo agent of `npm start`: the three runnable examples and a help desk in one process, so
// one OTLP stream carries all three catalogs and fills every dashboard figure (the AI agent
// tracking plan's WhatsApp flow on Ollama, a conversation of Segment's AI Copilot spec, the
// customer-signals tracking plan's signals, triage, replies and outcomes, and the help desk's
// priced OpenAI calls on the web widget and test channels). Spans go to the global tracer
// provider: set one up first (main.mjs does, with @spantrack/node; run it under
// `node --import @spantrack/node/register` so the LLM clients are instrumented).
import { run as runCustomerSignals } from '@spantrack/example-customer-signals';
import { run as runSupportCopilot } from '@spantrack/example-support-copilot';
import { run as runWhatsappIntentBot } from '@spantrack/example-whatsapp-intent-bot';
import { runHelpDesk } from './help-desk.mjs';

export { HELP_DESK_ASSISTANT, HELP_DESK_SCRIPT, runHelpDesk } from './help-desk.mjs';
export { catalogOf, formatSummary, groupByCatalog, summarize } from './summary.mjs';

/**
 * Runs the three examples and the help desk one after the other.
 * @param {{ log?: (line: string) => void, runId?: string }} [options]
 */
export async function run(options = {}) {
  const log = options.log ?? (() => {});
  const prefixed = (name) => (line) => {
    for (const l of line.split('\n')) log(`  [${name}] ${l}`);
  };
  // Each assistant names itself on its events, so the dashboards can tell them apart.
  const whatsapp = await runWhatsappIntentBot({
    log: prefixed('whatsapp-intent-bot'),
    runId: options.runId,
    assistant: 'kra-bot',
  });
  const copilot = await runSupportCopilot({ log: prefixed('support-copilot'), assistant: 'support-copilot' });
  const signals = await runCustomerSignals({ log: prefixed('customer-signals') });
  const helpDesk = await runHelpDesk({ log: prefixed('help-desk'), runId: options.runId });
  return { whatsapp, copilot, signals, helpDesk };
}

// Runs the demo agent under @spantrack/node: traces over OTLP to OTEL_EXPORTER_OTLP_ENDPOINT, the
// analytics sink from SPANTRACK_SINK (`npm start` sets none: its collector makes the events).
import { getSetup, setup } from '@spantrack/node';
import { run } from './index.mjs';

const quiet = process.argv.includes('--quiet');
const spantrack =
  getSetup() ?? setup({ serviceName: process.env.OTEL_SERVICE_NAME || 'spantrack-demo-agent' });
const result = await run({ log: quiet ? undefined : (line) => console.log(line) });
await spantrack.shutdown();

const { spansEnded, traces } = spantrack.stats();
console.log(
  `demo agent: ${result.whatsapp.messages} WhatsApp messages (${result.whatsapp.handoffs} handed off), ` +
    `a ${result.copilot.messageCount}-message copilot conversation, ${result.signals.items} inbox items, ` +
    `${result.helpDesk.conversations} help-desk conversations (${result.helpDesk.handoffs} handed off); ` +
    `${spansEnded} spans` +
    (traces ? `, ${traces.spansExported} exported over OTLP, ${traces.spansFailed} failed` : ''),
);
if (traces && traces.spansFailed > 0) process.exitCode = 1;

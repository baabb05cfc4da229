// Runs the support copilot on its own, under @spantrack/node: traces go over OTLP to
// OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), analytics to the sink SPANTRACK_SINK
// names (see docs/configuration.md). Works with `node main.mjs` and with
// `node --import @spantrack/node/register main.mjs` alike.
import { getSetup, setup } from '@spantrack/node';
import { run } from './index.mjs';

const spantrack = getSetup() ?? setup({ serviceName: process.env.OTEL_SERVICE_NAME || 'support-copilot' });
const result = await run({ log: (line) => console.log(line) });
await spantrack.shutdown();

const { spansEnded, traces } = spantrack.stats();
console.log(
  `support-copilot: 1 conversation (${result.conversationId}), ${result.messageCount} messages, ` +
    `${result.actions} actions; ${spansEnded} spans` +
    (traces ? `, ${traces.spansExported} exported over OTLP, ${traces.spansFailed} failed` : ''),
);
if (traces && traces.spansFailed > 0) process.exitCode = 1;

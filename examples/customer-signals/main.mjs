// Runs the customer-signals inbox on its own, under @spantrack/node: traces go over OTLP to
// OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), analytics to the sink SPANTRACK_SINK
// names (see docs/configuration.md). Works with `node main.mjs` and with
// `node --import @spantrack/node/register main.mjs` alike.
import { getSetup, setup } from '@spantrack/node';
import { run } from './index.mjs';

const spantrack = getSetup() ?? setup({ serviceName: process.env.OTEL_SERVICE_NAME || 'customer-signals' });
const result = await run({ log: (line) => console.log(line) });
await spantrack.shutdown();

const { spansEnded, traces } = spantrack.stats();
console.log(
  `customer-signals: ${result.items} inbox items, ${result.signals} signals, ${result.triages} triages ` +
    `(${result.escalations} escalated), ${result.replies} replies, ${result.outcomes} outcomes; ${spansEnded} spans` +
    (traces ? `, ${traces.spansExported} exported over OTLP, ${traces.spansFailed} failed` : ''),
);
if (traces && traces.spansFailed > 0) process.exitCode = 1;

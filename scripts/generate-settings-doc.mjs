// Writes the table of the settings @spantrack/node and the collector share into
// docs/configuration.md, from the one table they both read (SHARED_SETTINGS of @spantrack/processor,
// packages/processor/src/settings/shared-settings.ts; built first: npm run build).
//   node scripts/generate-settings-doc.mjs                 write it
//   node scripts/generate-settings-doc.mjs --check         exit 1 when the written table is stale
//   node scripts/generate-settings-doc.mjs --check --docs FILE   check another copy (tests)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const START =
  '<!-- generated from SHARED_SETTINGS (packages/processor/src/settings) by `node scripts/generate-settings-doc.mjs`: do not edit -->';
export const END = '<!-- end of the generated table of shared settings -->';

const code = (text) => `\`${text}\``;
const cell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One Markdown row per setting: option, variable, flag, values, the two defaults, what it does. */
export function renderTable(settings) {
  const rows = [
    '| option | env var | collector flag | values | default: `@spantrack/node` | default: collector | what it does |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of Object.values(settings)) {
    const env = s.env === undefined ? '(option only)' : code(s.env);
    const standard = s.standardEnv === undefined ? '' : `, then ${code(s.standardEnv)}`;
    const flag =
      s.flag === undefined ? '(option only)' : code(`--${s.flag}${s.flagType === 'boolean' ? '' : ' …'}`);
    const old = [...s.deprecatedEnv.map(code), ...s.deprecatedFlags.map((f) => code(`--${f}`))];
    const deprecated =
      old.length === 0 ? '' : ` The collector still reads ${old.join(', ')} (deprecated: one warning).`;
    rows.push(
      `| ${s.option === undefined ? '—' : code(s.option)} | ${env}${standard} | ${flag} | ${cell(s.values)} | ${cell(s.defaults.node)} | ${cell(s.defaults.collector)} | ${cell(s.doc)}${deprecated} |`,
    );
  }
  return rows.join('\n');
}

/** `text` with the generated part between the markers replaced. */
export function withTable(text, table) {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start)
    throw new Error(`the markers of the generated table are missing:\n${START}\n${END}`);
  return `${text.slice(0, start + START.length)}\n\n${table}\n\n${text.slice(end)}`;
}

async function main() {
  const { values } = parseArgs({
    options: { check: { type: 'boolean' }, docs: { type: 'string' } },
    strict: true,
  });
  const file = values.docs ?? join(root, 'docs/configuration.md');
  let settings;
  try {
    ({ SHARED_SETTINGS: settings } = await import('@spantrack/processor'));
  } catch (error) {
    console.error(`cannot load @spantrack/processor (${error.message}): run npm run build first`);
    process.exit(2);
  }
  const text = readFileSync(file, 'utf8');
  const next = withTable(text, renderTable(settings));
  const name = relative(root, file) || file;
  if (values.check) {
    if (next !== text) {
      console.error(
        `${name}: the table of shared settings is stale; run node scripts/generate-settings-doc.mjs`,
      );
      process.exit(1);
    }
    console.log(`${name}: the table of shared settings is up to date`);
    return;
  }
  if (next !== text) writeFileSync(file, next);
  console.log(`${name}: ${next === text ? 'unchanged' : 'written'}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

// Derives from the tracking-plan JSON files (the source of truth) the event-name constants and
// property types (src/generated/tracking-plans.ts) and the event tables of docs/tracking-plans.md.
//   node scripts/generate-tracking-plans.mjs          write them
//   node scripts/generate-tracking-plans.mjs --check  exit 1 when a written file is stale
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const PLANS = ['ai-agent', 'segment-copilot', 'customer-signals', 'conversation'];
const TYPES_FILE = join(PACKAGE, 'src/generated/tracking-plans.ts');
const DOCS_FILE = join(PACKAGE, '../../docs/tracking-plans.md');
export const START =
  '<!-- generated from packages/conventions/tracking-plans by `npm run generate`: do not edit -->';
export const END = '<!-- end of generated tables -->';

export function loadPlans() {
  return PLANS.map((name) =>
    JSON.parse(readFileSync(join(PACKAGE, 'tracking-plans', `${name}.json`), 'utf8')),
  );
}

const bodyOf = (rules) => rules.properties?.properties ?? rules.properties?.traits ?? {};

function tsType(schema) {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'unknown[]';
    case 'object':
      return 'Record<string, unknown>';
    default:
      return 'unknown';
  }
}

const doc = (text, indent = '') => `${indent}/** ${text.replaceAll('*/', '*\\/')} */\n`;

/** The TypeScript module: one const object of event names per plan, one interface per type name. */
export function renderTypes(plans) {
  let out =
    '// Generated from tracking-plans/*.json by `npm run generate`: do not edit.\n' +
    '// The JSON files are the source of truth; test/generated.test.ts fails when this file is stale.\n\n';
  const interfaces = new Map();
  const map = [];
  for (const plan of plans) {
    const constants = plan['x-spantrack-constants'];
    const events = plan.rules.events ?? [];
    if (constants !== undefined) {
      out += doc(`Event names of the ${plan.display_name}, letter for letter.`);
      out += `export const ${constants} = {\n`;
      for (const e of events) out += `  ${e['x-spantrack-constant']}: ${JSON.stringify(e.name)},\n`;
      out += '} as const;\n';
      out += `export type ${constants}Name = (typeof ${constants})[keyof typeof ${constants}];\n\n`;
    }
    for (const e of events) {
      const type = e['x-spantrack-type'];
      if (type === undefined) continue;
      map.push([e.name, type]);
      const body = bodyOf(e.rules);
      const required = new Set(body.required ?? []);
      let text = '';
      for (const [key, schema] of Object.entries(body.properties ?? {})) {
        if (schema.description) text += doc(schema.description, '  ');
        text += `  ${JSON.stringify(key)}${required.has(key) ? '' : '?'}: ${tsType(schema)};\n`;
      }
      const previous = interfaces.get(type);
      if (previous !== undefined) {
        if (previous.text !== text)
          throw new Error(`${type}: events ${previous.events[0]} and ${e.name} differ`);
        previous.events.push(e.name);
      } else interfaces.set(type, { text, events: [e.name] });
    }
  }
  for (const [type, { text, events }] of interfaces) {
    out += doc(`Properties of ${events.map((e) => `\`${e}\``).join(', ')}.`);
    out += `export interface ${type} {\n${text}}\n\n`;
  }
  out += doc('Every event name of the built-in plans and the type of its properties.');
  out += 'export interface EventPropertiesMap {\n';
  for (const [name, type] of map) out += `  ${JSON.stringify(name)}: ${type};\n`;
  out += '}\n';
  return format(out);
}

/** Formats TypeScript as the repository's Biome configuration does, so `biome check` agrees. */
function format(source) {
  const require = createRequire(import.meta.url);
  const biome = join(dirname(require.resolve('@biomejs/biome/package.json')), 'bin/biome');
  const result = spawnSync(process.execPath, [biome, 'format', `--stdin-file-path=${TYPES_FILE}`], {
    input: source,
    encoding: 'utf8',
    cwd: join(PACKAGE, '../..'),
  });
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr}`);
  return result.stdout;
}

const cell = (text) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');

function typeText(schema) {
  let t = schema.type === 'integer' ? 'integer' : (schema.type ?? 'any');
  if (schema.format) t += ` (${schema.format})`;
  if (Array.isArray(schema.enum)) t += `: ${schema.enum.map((v) => `\`${v}\``).join(', ')}`;
  const range = [];
  if (schema.minimum !== undefined) range.push(`>= ${schema.minimum}`);
  if (schema.maximum !== undefined) range.push(`<= ${schema.maximum}`);
  if (range.length) t += `, ${range.join(', ')}`;
  return t;
}

function propertyTable(body, title, userFields) {
  const required = new Set(body.required ?? []);
  const plural = title === 'property' ? 'properties' : `${title}s`;
  if (Object.keys(body.properties ?? {}).length === 0) {
    return body.additionalProperties === false
      ? `No ${plural}.\n`
      : `Any ${plural}: the application's own (${userFields}).\n`;
  }
  let out = `| ${title} | type | required | description |\n| --- | --- | --- | --- |\n`;
  for (const [key, schema] of Object.entries(body.properties ?? {})) {
    const content = schema['x-spantrack-content'] ? '**content** (content capture only). ' : '';
    out += `| \`${key}\` | ${cell(typeText(schema))} | ${required.has(key) ? 'yes' : ''} | ${cell(content + (schema.description ?? ''))} |\n`;
  }
  const extra = body.additionalProperties;
  out +=
    extra === false
      ? '\nNo other property is allowed.\n'
      : `\nOther ${plural} are allowed (the application's own, ${userFields}).\n`;
  return out;
}

/** The generated part of docs/tracking-plans.md. */
export function renderDocs(plans) {
  let out = '';
  for (const plan of plans) {
    const file = `packages/conventions/tracking-plans/${plan.name}.json`;
    out += `\n## ${plan.display_name}\n\n${plan.description}\n\nFile: [\`${file}\`](../${file})`;
    if (plan['x-spantrack-catalog']) out += `; sent by the \`${plan['x-spantrack-catalog']}\` catalog`;
    out += '.\n';
    for (const m of plan['x-spantrack-metrics'] ?? []) {
      if (m === plan['x-spantrack-metrics'][0]) out += '\n| metric | computed from |\n| --- | --- |\n';
      out += `| ${cell(m.metric)} | ${cell(m.description)} |\n`;
    }
    for (const n of plan['x-spantrack-not-sent'] ?? []) {
      if (n === plan['x-spantrack-not-sent'][0]) out += '\nNot sent today:\n\n';
      out += `- **${n.field}**: ${n.reason}\n`;
    }
    for (const e of plan.rules.events ?? []) {
      out += `\n### \`${e.name}\`\n\n${e.description}\n\n`;
      out += propertyTable(bodyOf(e.rules), 'property', '`spantrack.property.<name>`');
      const channel = e.rules.properties?.context?.properties?.channel;
      if (channel) out += `\n\`context.channel\`: ${channel.description}\n`;
    }
    if (plan.rules.identify) {
      out += `\n### \`identify\`\n\n${plan.rules.identify.description ?? ''}\n\n`;
      out += propertyTable(
        plan.rules.identify.properties?.traits ?? {},
        'trait',
        '`spantrack.user.trait.<name>`',
      );
    }
  }
  return out;
}

/** `text` with what lies between the markers replaced by `generated`. */
export function spliceDocs(text, generated) {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOCS_FILE} lacks the generated-section markers`);
  return `${text.slice(0, start + START.length)}\n${generated}\n${text.slice(end)}`;
}

function main() {
  const check = process.argv.includes('--check');
  const plans = loadPlans();
  const wanted = [
    [TYPES_FILE, renderTypes(plans)],
    [DOCS_FILE, spliceDocs(readFileSync(DOCS_FILE, 'utf8'), renderDocs(plans))],
  ];
  let stale = 0;
  for (const [file, text] of wanted) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      stale++;
      console.error(`${relative(process.cwd(), file)} is stale: run \`npm run generate\``);
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${relative(process.cwd(), file)}`);
    }
  }
  process.exitCode = stale === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

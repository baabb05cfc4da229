import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import or re-export of a source file. */
export interface ImportEdge {
  /** The specifier as written. */
  specifier: string;
  /** The file it resolves to (relative specifiers only). */
  file: string | undefined;
  /** `import type` / `export type`: erased, so nothing is loaded at run time. */
  typeOnly: boolean;
}

/** Every `.ts` file under `dir`, absolute. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  // `./model-prices.json` names its file; `./translate` is `translate.ts` or `translate/index.ts`.
  const candidates = /\.[a-z]+$/.test(base) ? [base] : [`${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c));
}

/** The imports and re-exports of one file, read with the TypeScript parser (not a regex). */
export function importsOf(file: string): ImportEdge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.importClause?.isTypeOnly === true;
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.isTypeOnly;
    }
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue;
    const text = specifier.text;
    edges.push({
      specifier: text,
      file: text.startsWith('.') ? resolveRelative(file, text) : undefined,
      typeOnly,
    });
  }
  return edges;
}

/**
 * The import cycles among `files` (type-only imports included: a cycle of types still ties the
 * modules together), each as a list of paths relative to `root`, found by depth-first search.
 */
export function findCycles(files: readonly string[], root: string): string[][] {
  const graph = new Map(
    files.map((f) => [f, importsOf(f).flatMap((e) => (e.file !== undefined ? [e.file] : []))]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)));
      } else if (s === undefined && graph.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

/**
 * What loading `entry` loads: every file reached through imports that survive compilation (type-only
 * ones are erased), and every package imported by name on the way.
 */
export function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const edge of importsOf(file)) {
      if (edge.typeOnly) continue;
      if (edge.file !== undefined) pending.push(edge.file);
      else if (!edge.specifier.startsWith('.')) packages.add(edge.specifier);
    }
  }
  return { files, packages };
}

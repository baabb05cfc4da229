import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's files, served as they are: no CDN, nothing fetched from elsewhere. */
export const STATIC_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
};

/** The package's `static/` folder, found from this module (in `dist/` when built, `src/dashboard/` in tests). */
export function findStaticDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = join(dir, 'static');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('the dashboard page (static/index.html) is missing from @spantrack/insights');
}

/** Reads the page's files once. */
export function loadStaticFiles(dir = findStaticDir()): Map<string, Buffer> {
  return new Map(Object.keys(STATIC_FILES).map((name) => [name, readFileSync(join(dir, name))]));
}

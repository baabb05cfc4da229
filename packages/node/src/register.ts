/**
 * Zero-code entry: `node --import @spantrack/node/register app.js` (ESM) or
 * `node --require @spantrack/node/register app.js` (CommonJS) sets everything up from env vars,
 * flushes on `beforeExit` and on SIGTERM / SIGINT.
 */
import { register as registerLoaderHook } from 'node:module';
import { INSTRUMENTABLE_MODULES, isInstalled, loaderHookSpecifier } from './instrumentations';
import { resolveConfig } from './resolve-config';
import { installExitWarnings, setupFromRegister } from './setup';

// Resolved here first so that invalid configuration stops the start before any hook is installed.
const config = resolveConfig(undefined, process.env, 'register');

// In the ESM build `import.meta.url` is this file; the CommonJS build has no `import.meta`, and
// needs no loader hook (require-in-the-middle patches `require`).
const esmUrl: string | undefined = (import.meta as { url?: string }).url;
const modules =
  !config.disabled && config.autoInstrument ? INSTRUMENTABLE_MODULES.filter((m) => isInstalled(m)) : [];
if (esmUrl !== undefined && modules.length > 0 && typeof registerLoaderHook === 'function') {
  // `import OpenAI from 'openai'` is patched only through the loader hook; `include` limits the
  // hook to the packages spantrack instruments.
  registerLoaderHook(loaderHookSpecifier(), esmUrl, { data: { include: modules } });
}

// setup installs the SIGTERM / SIGINT handlers (for a setup() call in code as well).
const handle = setupFromRegister();
if (handle.state !== 'disabled') installExitWarnings();

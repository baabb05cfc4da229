#!/usr/bin/env node
// A committed entry point, so that `npm install` links the command before the first build (npm
// skips a bin whose file is missing); the CLI itself is the built dist/cli.js.
import('../dist/cli.js').catch((error) => {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/');
  process.stderr.write(
    missing
      ? `spantrack-collector: not built yet (${error.message.split('\n')[0]}); run \`npm run build\` at the repository root\n`
      : `spantrack-collector: could not load: ${error?.message ?? String(error)}\n`,
  );
  process.exit(1);
});

/**
 * `pnpm dev` runs this beside the API: Vite's dev server for the web app,
 * forwarding the API's paths to it, and the one address to open.
 */
import { fileURLToPath } from 'node:url';
import { exitOnConfigError, loadConfig } from '@sp/runtime';
import { createServer } from 'vite';
import { webDevConfigSchema } from './dev-config.js';

const settings = { data: exitOnConfigError(() => loadConfig(webDevConfigSchema)) };

const root = fileURLToPath(new URL('..', import.meta.url));
const server = await createServer({
  root,
  configFile: `${root}vite.config.ts`,
  clearScreen: false,
  logLevel: 'warn',
  server: { port: settings.data.WEB_PORT, strictPort: true, host: 'localhost' },
}).catch((error: unknown) => {
  console.error(`[web] the dev server did not start: ${error instanceof Error ? error.message : String(error)}`);
  return process.exit(1);
});
await server.listen().catch((error: unknown) => {
  const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(
    taken
      ? `[web] port ${settings.data.WEB_PORT} is taken; set WEB_PORT to a free port`
      : `[web] the dev server did not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
console.log(`[web] open http://localhost:${settings.data.WEB_PORT}/ and sign in as the demo student`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

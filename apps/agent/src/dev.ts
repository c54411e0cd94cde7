/**
 * What `pnpm dev` runs for the worker: starts it (`main.ts dev`) when a LiveKit
 * server answers at LIVEKIT_URL and a model endpoint is configured; otherwise
 * says in one line everything that is missing and exits 0, leaving the rest of the stack running.
 */
import { fileURLToPath } from 'node:url';
import { exitOnConfigError, loadConfig } from '@sp/runtime';
import { type AgentConfig, agentConfigSchema, livekitHttpUrl } from './config.js';
import { relayStopSignal, spawnWorker } from './worker-process.js';

const say = (line: string) => console.log(`[agent] ${line}`);

/** Any HTTP answer from the server counts; LiveKit serves a health check at `/`. */
async function livekitReachable(config: AgentConfig): Promise<boolean> {
  try {
    await fetch(livekitHttpUrl(config), { signal: AbortSignal.timeout(1_500) });
    return true;
  } catch {
    return false;
  }
}

const config = exitOnConfigError(() => loadConfig(agentConfigSchema));
// Everything missing at once, so one restart is enough.
const missing: string[] = [];
if (!(await livekitReachable(config)))
  missing.push(
    `no LiveKit server at ${config.LIVEKIT_URL} (run \`livekit-server --dev\`, or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET to your LiveKit Cloud project)`,
  );
if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL)
  missing.push('no model endpoint (set OPENAI_API_KEY, or OPENAI_BASE_URL for any other OpenAI-compatible server)');
if (missing.length > 0) {
  say(`worker not started: ${missing.join('; ')}`);
  process.exit(0);
}

const worker = spawnWorker(fileURLToPath(new URL('./main.ts', import.meta.url)), ['dev']);
relayStopSignal(worker);
worker.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

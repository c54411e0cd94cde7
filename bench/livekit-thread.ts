/** The LiveKit fake for `pnpm bench:api`, on its own thread as a real LiveKit would be on its own server. */
import { parentPort } from 'node:worker_threads';
import { startFakeLiveKit } from '@sp/testkit';

const livekit = await startFakeLiveKit();
parentPort?.postMessage({ url: livekit.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret });

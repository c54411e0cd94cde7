/** What the API is built from; tests pass a test database and a LiveKit fake-backed client. */
import type { Database } from '@sp/db';
import type { ModelProvider } from '@sp/models';
import type { Logger } from 'pino';
import type { BackgroundWork } from './background-work.js';
import type { ApiConfig } from './config.js';
import type { LiveKitRooms } from './livekit.js';

export interface AppDeps {
  db: Database;
  config: ApiConfig;
  livekit: LiveKitRooms;
  /** The model endpoint for the chat and the text-channel patient; unconfigured means the offline patient. */
  models?: ModelProvider;
  /** Streamed replies still being stored; shutdown waits for them. */
  work?: BackgroundWork;
  /** The clock the session rules read; tests may move it. */
  now?: () => Date;
  logger?: Logger;
}

/** The dependencies with their defaults filled in. */
export type Services = Required<AppDeps>;

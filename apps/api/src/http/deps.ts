/** What the API is built from; tests pass a test database and a LiveKit fake-backed client. */
import { connect, type Database, type DbHandle } from '@sp/db';
import type { ModelProvider } from '@sp/models';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';
import type { StreamWakeups } from '../streaming/stream-replay.js';
import type { BackgroundWork } from './background-work.js';
import type { LiveKitRooms } from './livekit.js';

export interface AppDeps {
  db: Database;
  config: ApiConfig;
  livekit: LiveKitRooms;
  /** The model endpoint for the chat and the text-channel patient; unconfigured means the offline patient. */
  models?: ModelProvider;
  /** Streamed replies still being stored; shutdown waits for them. */
  work?: BackgroundWork;
  /** This process's resumers of streamed answers, woken as frames are stored. */
  streams?: StreamWakeups;
  /** The clock the session rules read; tests may move it. */
  now?: () => Date;
  logger?: Logger;
}

/** The dependencies with their defaults filled in. */
export type Services = Required<AppDeps>;

/**
 * The API's pool: queries and connections with deadlines, so that during a
 * database outage a request answers 503 within a few seconds instead of
 * waiting for the database to come back.
 */
export function apiDatabase(url: string, config: ApiConfig): DbHandle {
  return connect(url, {
    max: 20,
    applicationName: 'api',
    connectTimeoutSeconds: config.DATABASE_CONNECT_TIMEOUT_SECONDS,
    queryTimeoutSeconds: config.DATABASE_QUERY_TIMEOUT_SECONDS,
  });
}

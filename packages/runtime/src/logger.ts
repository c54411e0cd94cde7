/** The one logger setup: JSON lines on stdout at LOG_LEVEL, each line naming its service. */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './settings.js';

export type { Logger } from 'pino';

export function createLogger(service: string, level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service, ...bindings } });
}

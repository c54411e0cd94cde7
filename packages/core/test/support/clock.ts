/** A session's clock fields for the rules' tests: active, nothing used, created at t0, each test overriding what it is about. */
import type { SessionClock, TextChannelClock } from '../../src/index.js';

export const t0 = new Date('2026-01-01T10:00:00Z');
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export function sessionClock(overrides: Partial<SessionClock> = {}): SessionClock {
  return {
    status: 'active',
    endReason: null,
    elapsedActiveTime: 0,
    durationLimit: 600,
    reconnectCount: 0,
    connectedSince: null,
    segmentBase: 0,
    lastActivity: null,
    lastDisconnectAt: null,
    createdAt: t0,
    startTime: t0,
    ...overrides,
  };
}

/** The same, on the text channel with no reply under way. */
export function textClock(overrides: Partial<TextChannelClock> = {}): TextChannelClock {
  return { ...sessionClock(), channel: 'text', textTurnStartedAt: null, ...overrides };
}

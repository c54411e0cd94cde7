import { describe, expect, it } from 'vitest';
import { type RefusalInput, refusalOf } from '../src/session/refusals';

const refusal = (status: number, code: RefusalInput['code'], details: Record<string, unknown> = {}) =>
  refusalOf({ status, code, message: 'server words', details }, 'session-1');

describe('refusals in plain words', () => {
  it('explains each way a resume can end a session, and leads to its report', () => {
    expect(refusal(410, 'SESSION_TIMER_EXPIRED')).toMatchObject({
      title: 'Your time is used up',
      reportSessionId: 'session-1',
    });
    expect(refusal(410, 'SESSION_RECONNECT_EXCEEDED')).toMatchObject({
      title: 'No reconnections left',
      reportSessionId: 'session-1',
    });
    const window = refusal(410, 'SESSION_CONVERSATION_TTL_EXCEEDED');
    expect(window.title).toBe('The time to come back has passed');
    expect(window.text).toContain('within an hour');
    expect(refusal(410, 'SESSION_USER_ENDED').reportSessionId).toBe('session-1');
    expect(refusal(410, 'SESSION_STAFF_ENDED')).toMatchObject({
      title: 'Your instructor ended this session',
      reportSessionId: 'session-1',
    });
  });

  it('names the number of attempts when none are left, with no report to offer', () => {
    const none = refusal(422, 'VALIDATION_ERROR', { attempt_count: 3, max_attempts: 3 });
    expect(none.title).toBe('No attempts left');
    expect(none.text).toContain('all 3 attempts');
    expect(none.reportSessionId).toBeUndefined();
    expect(refusal(422, 'VALIDATION_ERROR', { attempt_count: 1, max_attempts: 1 }).text).toContain(
      'all 1 attempt this',
    );
  });

  it('offers typing when voice is unavailable', () => {
    expect(refusal(502, 'LIVEKIT_UNAVAILABLE')).toMatchObject({ offerTyping: true });
  });

  it('explains a busy turn and a session live in the voice room', () => {
    expect(refusal(409, 'SESSION_BUSY').text).toContain('Wait for the reply');
    expect(refusal(409, 'SESSION_CHANNEL_CONFLICT').text).toContain('voice in another tab');
  });

  it('uses the session id the API names over the one the caller knows', () => {
    const named = refusalOf(
      { status: 410, code: 'SESSION_TIMER_EXPIRED', message: '', details: { session_id: 'named' } },
      'known',
    );
    expect(named.reportSessionId).toBe('named');
  });
});

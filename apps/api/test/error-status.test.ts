/**
 * The HTTP status of each error code is the HTTP layer's (http/errors.ts), not
 * the pure rules' (@sp/core names codes only): the refusals the rules build
 * answer the statuses the contract gives them.
 */
import {
  attemptsExhaustedError,
  errorCodes,
  resumeFailedError,
  sessionActiveError,
  sessionBusyError,
  sessionEndedError,
  voiceLiveError,
} from '@sp/core';
import { describe, expect, it } from 'vitest';
import { errorStatus } from '../src/http/errors.js';

describe('errorStatus', () => {
  it('gives every code a status, and no other', () => {
    expect(Object.keys(errorStatus).sort()).toEqual([...errorCodes].sort());
  });

  it('answers the session refusals with their statuses', () => {
    for (const reason of ['conversation_ttl_exceeded', 'reconnect_exceeded', 'timer_expired'] as const) {
      expect(errorStatus[resumeFailedError(reason).code]).toBe(410);
    }
    expect(errorStatus[sessionEndedError('pending_timeout').code]).toBe(410);
    expect(errorStatus[attemptsExhaustedError(3, 3).code]).toBe(422);
    expect(errorStatus[sessionActiveError('s-1').code]).toBe(409);
    expect(errorStatus[voiceLiveError().code]).toBe(409);
    expect(errorStatus[sessionBusyError().code]).toBe(409);
  });
});

import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';

describe('the worker’s retry schedule', () => {
  it('doubles the wait after each failure up to the cap, and starts over after a success', () => {
    const backoff = new Backoff(100, 500);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      100, 200, 400, 500, 500,
    ]);
    expect(backoff.failures).toBe(5);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('never waits longer than the cap, even when the first wait is above it', () => {
    const backoff = new Backoff(300, 200);
    expect([backoff.next(), backoff.next()]).toEqual([300, 200]);
  });
});

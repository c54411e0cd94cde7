import { describe, expect, it } from 'vitest';
import { rateVerdict, rateWindow } from '../src/index.js';
import { at } from './support/clock.js';

describe('rate windows', () => {
  it('aligns windows to the epoch, so every process agrees on them', () => {
    const window = rateWindow(at(75), 60);
    expect(window.start).toEqual(at(60));
    expect(window.end).toEqual(at(120));
    expect(rateWindow(at(119.999), 60).start).toEqual(at(60));
    expect(rateWindow(at(120), 60).start).toEqual(at(120));
  });
});

describe('rate verdicts', () => {
  it('allows the limit-th request and refuses the next until the window ends', () => {
    expect(rateVerdict(3, 3, at(120), at(75))).toEqual({ kind: 'allowed', remaining: 0 });
    expect(rateVerdict(4, 3, at(120), at(75))).toEqual({ kind: 'limited', retryAfterSeconds: 45 });
  });

  it('rounds the wait up and never answers less than a second', () => {
    expect(rateVerdict(4, 3, at(120), at(74.2))).toEqual({ kind: 'limited', retryAfterSeconds: 46 });
    expect(rateVerdict(4, 3, at(120), at(119.9))).toEqual({ kind: 'limited', retryAfterSeconds: 1 });
    expect(rateVerdict(4, 3, at(120), at(120))).toEqual({ kind: 'limited', retryAfterSeconds: 1 });
  });
});

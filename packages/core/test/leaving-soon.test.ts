import { describe, expect, it } from 'vitest';
import { secondsUntilWarning, turnCrossesWarning, warningBeforeEndSetting, warningDue } from '../src/index.js';

describe('warningDue', () => {
  it('is due from the warning time down to the last moment, never at 0 s left nor when turned off', () => {
    expect(warningDue(61, 60)).toBe(false);
    expect(warningDue(60, 60)).toBe(true);
    expect(warningDue(0.001, 60)).toBe(true);
    expect(warningDue(0, 60)).toBe(false);
    expect(warningDue(10, 0)).toBe(false);
  });
});

describe('secondsUntilWarning', () => {
  it('counts down to the warning, 0 once inside it, null when it will not come', () => {
    expect(secondsUntilWarning(100, 30)).toBe(70);
    expect(secondsUntilWarning(20, 30)).toBe(0);
    expect(secondsUntilWarning(0, 30)).toBeNull();
    expect(secondsUntilWarning(100, 0)).toBeNull();
  });
});

describe('turnCrossesWarning', () => {
  it('is true only for the turn that enters the warning', () => {
    expect(turnCrossesWarning(100, 50, 75, 30)).toBe(true);
    expect(turnCrossesWarning(100, 0, 50, 30)).toBe(false);
    expect(turnCrossesWarning(100, 75, 80, 30)).toBe(false);
  });

  it('is false for a turn that uses the time up (the goodbye comes instead) and when the warning is off', () => {
    expect(turnCrossesWarning(100, 50, 100, 30)).toBe(false);
    expect(turnCrossesWarning(100, 50, 99, 0)).toBe(false);
  });
});

describe('warningBeforeEndSetting', () => {
  it('defaults to 60 s and refuses a negative value', () => {
    expect(warningBeforeEndSetting.parse(undefined)).toBe(60);
    expect(warningBeforeEndSetting.parse('30')).toBe(30);
    expect(warningBeforeEndSetting.safeParse('-1').success).toBe(false);
  });
});

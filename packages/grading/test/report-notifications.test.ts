import { createTestDatabase } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { REPORT_DONE_CHANNEL, ReportNotifications } from '../src/index.js';

const test = await createTestDatabase({ max: 4 });
const notifications = new ReportNotifications(test.sql);
const sessionId = '00000000-0000-4000-8000-0000000000aa';
const notify = (id: string) => test.sql`select pg_notify(${REPORT_DONE_CHANNEL}, ${id})`;

describe('waiting for a report', () => {
  it('reads once, sleeps without polling, and reads again only at the timeout', async () => {
    let reads = 0;
    const started = Date.now();

    const value = await notifications.until(
      sessionId,
      async () => ++reads,
      () => false,
      1_000,
    );

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reads).toBe(2);
    expect(value).toBe(2);
    expect(notifications.waiting).toBe(0);
  });

  it("wakes on the session's notification and not on another session's", async () => {
    let done = false;
    let reads = 0;
    const waiting = notifications.until(
      sessionId,
      async () => {
        reads++;
        return done;
      },
      (d) => d,
      30_000,
    );
    await expect.poll(() => notifications.waiting).toBe(1);

    await notify('00000000-0000-4000-8000-0000000000bb');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads).toBe(1);

    done = true;
    const started = Date.now();
    await notify(sessionId);

    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reads).toBe(2);
  });

  it('stops waiting when the caller goes away', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);

    await notifications.until(
      sessionId,
      async () => 0,
      () => false,
      30_000,
      controller.signal,
    );

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(notifications.waiting).toBe(0);
  });
});

/**
 * Jobs that do not run smoothly: a consumer stopped mid-grading, two jobs of
 * one session at once, a job that crashes, a job slower than its lease. Each
 * test starts (and stops) the consumers it needs, so no other consumer takes
 * its jobs.
 */
import { connect, type Database, type DbHandle, endSession, enqueueGrading } from '@sp/db';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { claimReport, type GradingConfig, startGradingConsumer } from '../src/index.js';
import {
  endedSession,
  gradingStatusOf,
  gradingTest,
  jobsOf,
  reportOf,
  sessionWith,
  silentLogger,
  sleep,
  terminalReport,
  validAnswer,
} from './support.js';

const test = await gradingTest({ GRADING_CONCURRENCY: '1' });
const rubric = test.chestPain.rubric;
const slowModel = (ms: number) =>
  test.server.onChat(async () => {
    await sleep(ms);
    return { json: validAnswer(rubric) };
  });

/** A consumer on the given pool, stopped when the test ends (passed or not) unless the test stopped it. */
async function startConsumer(config: GradingConfig = test.config, pool: DbHandle = test.db) {
  const consumer = await startGradingConsumer({ db: pool.db, sql: pool.sql, config, logger: silentLogger });
  onTestFinished(() => consumer.stop(5_000));
  return consumer;
}

afterEach(async () => {
  test.server.reset();
  // A failed test leaves no job behind for the next test's consumers.
  await test.db.sql`delete from pgboss.job where name = 'grading' and state < 'completed'`;
});

describe('a consumer stopping mid-grading', () => {
  it('hands the report back to pending, so another consumer completes it after the queue retries the job', async () => {
    slowModel(20_000);
    // Consumer A, on a pool of its own, as a separate `jobs` process would be.
    const poolA = connect(test.db.url, { max: 4, applicationName: 'consumer-a' });
    onTestFinished(() => poolA.close());
    const consumerA = await startConsumer(test.config, poolA);
    const session = await endedSession(test);
    await expect.poll(() => test.server.chatRequests().length, { timeout: 10_000 }).toBe(1);
    expect((await reportOf(test, session.id))?.status).toBe('running');

    const stopping = Date.now();
    await consumerA.stop(1_000);
    await poolA.close();

    expect(Date.now() - stopping).toBeGreaterThanOrEqual(950);
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(await reportOf(test, session.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await gradingStatusOf(test, session.id)).toBe('pending');
    // Failed back to the queue, to be retried (pg-boss counts the retry when it starts it).
    expect(await jobsOf(test, session.id)).toMatchObject([{ state: 'retry' }]);

    test.server.onChat(() => ({ json: validAnswer(rubric) }));
    const consumerB = await startConsumer();
    const report = await terminalReport(test, session.id);

    expect(report).toMatchObject({ status: 'completed', attempts: 2, error: null });
    expect(test.server.chatRequests()).toHaveLength(2);
    await expect
      .poll(async () => (await jobsOf(test, session.id)).map((j) => j.state), { timeout: 5_000 })
      .toEqual(['completed']);
    expect((await jobsOf(test, session.id))[0]?.retryCount).toBe(1);
    await consumerB.stop();
  });
});

describe('a consumer that dies mid-grading', () => {
  it('has its report taken over by another consumer once the lease runs out, not at the queue expiry', async () => {
    const lease = 3;
    const config: GradingConfig = { ...test.config, GRADING_LEASE_SECONDS: lease, GRADING_TIME_LIMIT_SECONDS: 600 };
    test.server.onChat(() => ({ json: validAnswer(rubric) }));
    const session = await endedSession(test);
    // What a consumer killed mid-grading leaves: its job active in the queue, the report running, never renewed.
    await test.db.sql`update pgboss.job set state = 'active', started_on = now()
      where name = 'grading' and data->>'sessionId' = ${session.id}`;
    expect(await claimReport(test.db.db, session.id, lease)).toMatchObject({ outcome: 'claimed' });
    const diedAt = Date.now();

    await startConsumer(config);
    const report = await terminalReport(test, session.id);
    const takeover = (Date.now() - diedAt) / 1000;
    console.log(`dead grading consumer: report completed ${takeover.toFixed(2)} s after it died (lease ${lease} s)`);

    expect(report).toMatchObject({ status: 'completed', error: null });
    expect(takeover).toBeGreaterThanOrEqual(lease);
    // The lease, the sweep (every half lease), an idle consumer's poll and the grading itself.
    expect(takeover).toBeLessThan(lease * 1.5 + 2);
    // The dead consumer's job is still active in the queue: the takeover did not wait for its expiry.
    expect((await jobsOf(test, session.id)).map((j) => j.state)).toContain('active');
  }, 40_000);
});

describe('two jobs of one session at the same time', () => {
  it('grades once: one model call, the second job waits for the first and then completes', async () => {
    const consumers = [await startConsumer(), await startConsumer()];
    slowModel(1_500);
    const session = await sessionWith(test);

    // Both jobs appear at once, on one commit.
    await test.db.db.transaction(async (tx) => {
      await endSession(tx as unknown as Database, session.id, 'user_ended');
      await enqueueGrading(tx, session.id);
    });
    const report = await terminalReport(test, session.id);

    await expect
      .poll(async () => (await jobsOf(test, session.id)).map((j) => j.state), { timeout: 15_000 })
      .toEqual(['completed', 'completed']);
    expect(test.server.chatRequests()).toHaveLength(1);
    expect(report).toMatchObject({ status: 'completed', attempts: 1 });
    // The job that found the report being graded was retried, not dropped.
    expect((await jobsOf(test, session.id)).map((j) => j.retryCount).sort()).toEqual([0, 1]);
    for (const consumer of consumers) await consumer.stop();
  });
});

describe('a job that crashes', () => {
  it('leaves the report pending for the retry when storing the grade fails, then failed on the last try', async () => {
    test.server.onChat(() => ({ json: validAnswer(rubric) }));
    const session = await endedSession(test);
    // One retry, two seconds after the crash, so both tries fit the test.
    await test.db.sql`update pgboss.job set retry_limit = 1, retry_delay = 2, retry_backoff = false
      where data->>'sessionId' = ${session.id}`;
    // The database refuses to store this report as completed.
    await test.db.sql.unsafe(`
      create function refuse_completion() returns trigger language plpgsql as $$
      begin
        if new.status = 'completed' and new.session_id = '${session.id}' then
          raise exception 'could not extend file: No space left on device';
        end if;
        return new;
      end $$;
      create trigger refuse_completion before update on grade_reports
        for each row execute function refuse_completion();`);
    const consumer = await startConsumer();
    try {
      await expect
        .poll(
          async () => ({
            job: (await jobsOf(test, session.id))[0]?.state,
            report: (await reportOf(test, session.id))?.status,
          }),
          { timeout: 10_000, interval: 50 },
        )
        .toEqual({ job: 'retry', report: 'pending' });
      expect((await reportOf(test, session.id))?.error).toMatch(/No space left on device/);
      expect(await gradingStatusOf(test, session.id)).toBe('pending');

      const report = await terminalReport(test, session.id);

      expect(report).toMatchObject({ status: 'failed', attempts: 2, score: null });
      expect(report.error).toMatch(/No space left on device/);
      expect(await gradingStatusOf(test, session.id)).toBe('failed');
      await expect.poll(async () => (await jobsOf(test, session.id))[0]?.state).toBe('failed');
    } finally {
      await test.db.sql.unsafe('drop trigger refuse_completion on grade_reports; drop function refuse_completion();');
      await consumer.stop();
    }
  });
});

describe('the lease', () => {
  it('is renewed while a slow model call runs; a job outlasting it hands the report back; the queue expires after two', async () => {
    const shortLease: GradingConfig = { ...test.config, GRADING_LEASE_SECONDS: 10, GRADING_TIME_LIMIT_SECONDS: 10 };
    const consumer = await startConsumer(shortLease);
    slowModel(25_000);
    const session = await endedSession(test);

    const [queue] = await test.db.sql<{ expiry: number }[]>`
      select expire_seconds as expiry from pgboss.queue where name = 'grading'`;
    const [job] = await test.db.sql<{ expiry: number }[]>`
      select extract(epoch from expire_in)::int as expiry from pgboss.job where data->>'sessionId' = ${session.id}`;
    expect(queue?.expiry).toBe(80);
    expect(job?.expiry).toBe(80);

    await expect.poll(async () => (await reportOf(test, session.id))?.status, { timeout: 5_000 }).toBe('running');
    const claimed = (await reportOf(test, session.id))!;
    // A third of the lease later, the one model call still out, the lease is renewed.
    await expect
      .poll(async () => (await reportOf(test, session.id))!.updatedAt.getTime(), { timeout: 6_000 })
      .toBeGreaterThanOrEqual(claimed.updatedAt.getTime() + 3_000);
    expect((await reportOf(test, session.id))?.attempts).toBe(1);

    await expect
      .poll(
        async () => ({
          report: (await reportOf(test, session.id))?.status,
          job: (await jobsOf(test, session.id))[0]?.state,
        }),
        { timeout: 12_000, interval: 50 },
      )
      .toEqual({ report: 'pending', job: 'retry' });
    expect((await reportOf(test, session.id))?.error).toMatch(/longer than its time limit \(10 s\)/);

    await consumer.stop();
    await test.db.sql`delete from pgboss.job where data->>'sessionId' = ${session.id}`;
  }, 40_000);
});

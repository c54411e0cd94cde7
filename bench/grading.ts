/**
 * `pnpm bench:grading [--sessions 500] [--latency 200] [--consumers 2] [--concurrency 5]`:
 * starts the consumers as separate processes (`apps/api/src/jobs.ts`, as
 * operators run them) and waits until they idle on the queue, then ends N
 * sessions at once (N grading jobs on the real pg-boss queue in an embedded
 * PostgreSQL). The local OpenAI-wire server answers after a fixed latency.
 * Reports the drain time from the commit that queued the jobs to the last
 * report done (counted from NOTIFY grade_report_done) and its ratio to the
 * ideal N × latency / total concurrency; the same from the first model
 * request (leaving out the idle workers' first poll) comes second. A script,
 * not a test: it prints a table, and exits 1 when the ratio from the commit
 * is over 1.2 or any report failed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RubricItem } from '@sp/core';
import { type Database, endSession, latestVersionId, sessionMessages, sessions } from '@sp/db';
import { startOpenAIServer } from '@sp/testkit';
import { newRoomName } from '../apps/api/src/http/livekit.js';
import { benchDatabase } from './support.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '500' },
    latency: { type: 'string', default: '200' },
    consumers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '5' },
  },
});
const SESSIONS = Number(values.sessions);
const LATENCY_MS = Number(values.latency);
const CONSUMERS = Number(values.consumers);
const CONCURRENCY = Number(values.concurrency);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGET_RATIO = 1.2;
/** Fractional ms since the epoch: the clock the model server records requests with. */
const now = () => performance.timeOrigin + performance.now();

const turns = [
  { sequence: 1, role: 'assistant' as const, content: 'Hello, doctor.' },
  { sequence: 2, role: 'user' as const, content: "Hello, my name is Sam, I'm a medical student. What brings you in?" },
  { sequence: 3, role: 'assistant' as const, content: 'This pain in my chest.' },
  { sequence: 4, role: 'user' as const, content: 'When did it start, and does it spread anywhere?' },
];

const answerFor = (rubric: RubricItem[]) => ({
  items: rubric.map((r, i) => ({
    item_id: r.id,
    verdict: i % 2 ? 'partially_met' : 'met',
    evidence: [i % 2 ? 4 : 2],
    justification: `Addressed ${r.title.toLowerCase()}.`,
  })),
  strengths: ['Clear opening'],
  improvements: ['Summarise'],
  narrative: 'A focused start.',
});

const pg = await benchDatabase('grading');
const { handle, tenant, caseStudies } = pg;
const stopAll: (() => Promise<unknown>)[] = [pg.stop];
try {
  const caseStudy = caseStudies.find((c) => c.slug === 'acute-chest-pain') ?? caseStudies[0]!;

  const model = await startOpenAIServer({ latencyMs: LATENCY_MS });
  stopAll.unshift(() => model.close());
  const answer = answerFor(caseStudy.rubric);
  model.onChat(() => ({ json: answer }));

  // N live sessions with a transcript, then all ended at once: N jobs on the queue.
  const rows = Array.from({ length: SESSIONS }, (_, i) => ({
    id: randomUUID(),
    tenantId: tenant.id,
    userId: `bench-${i}`,
    contentId: caseStudy.id,
    caseStudyVersionId: latestVersionId(caseStudy.id),
    status: 'active' as const,
    roomName: newRoomName(),
    attemptNumber: 1,
  }));
  await handle.db.insert(sessions).values(rows);
  await handle.db.insert(sessionMessages).values(rows.flatMap((s) => turns.map((t) => ({ ...t, sessionId: s.id }))));

  let done = 0;
  let lastDone = 0;
  let allDone: () => void = () => {};
  const drained = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  await handle.sql.listen('grade_report_done', () => {
    lastDone = now();
    if (++done === SESSIONS) allDone();
  });

  // Consumers first, idle on the empty queue, as in production.
  const spawnedAt = performance.now();
  const children = Array.from({ length: CONSUMERS }, () => startConsumer(pg.url, model.baseURL));
  stopAll.unshift(() => Promise.all(children.map((c) => stopConsumer(c.process))));
  await Promise.all(children.map((c) => c.ready));
  const startupMs = performance.now() - spawnedAt;

  // All N endings in one transaction (each its own savepoint): the jobs appear at once, on commit.
  const enqueueStarted = now();
  await handle.db.transaction(async (tx) => {
    for (const s of rows) await endSession(tx as unknown as Database, s.id, 'user_ended');
  });
  const enqueuedAt = now();
  const enqueueMs = enqueuedAt - enqueueStarted;
  const timeout = setTimeout(() => allDone(), Math.max(120_000, SESSIONS * LATENCY_MS * 2));
  await drained;
  clearTimeout(timeout);

  const [stats] = await handle.sql<{ completed: number; failed: number; attempts: number }[]>`
    select count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status = 'failed')::int as failed,
           coalesce(sum(attempts), 0)::int as attempts
    from grade_reports`;
  const firstRequest = model.requests[0]?.at ?? enqueuedAt;
  const drainMs = lastDone - enqueuedAt;
  const drainFromFirstRequestMs = lastDone - firstRequest;
  const totalConcurrency = CONSUMERS * CONCURRENCY;
  const idealMs = (SESSIONS * LATENCY_MS) / totalConcurrency;
  const ratio = drainMs / idealMs;
  const failed = stats?.failed ?? 0;
  const ms = (value: number) => `${Math.round(value)} ms`;

  console.log(
    `\nGrading bench: ${SESSIONS} ended sessions, ${LATENCY_MS} ms model latency, ${CONSUMERS} consumer processes × ${CONCURRENCY} workers, ${cpuLine()}\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | ---: |');
  console.log(`| **ratio to ideal, from the commit (target <= ${TARGET_RATIO})** | **${ratio.toFixed(2)}** |`);
  console.log(`| drain (commit to last report done) | ${ms(drainMs)} |`);
  console.log(`| ideal (${SESSIONS} × ${LATENCY_MS} ms / ${totalConcurrency}) | ${ms(idealMs)} |`);
  console.log(`| ratio from the first model request | ${(drainFromFirstRequestMs / idealMs).toFixed(2)} |`);
  console.log(`| drain from the first model request | ${ms(drainFromFirstRequestMs)} |`);
  console.log(`| first job picked up after the commit | ${ms(firstRequest - enqueuedAt)} |`);
  console.log(`| enqueue (${SESSIONS} endSession calls, one commit) | ${ms(enqueueMs)} |`);
  console.log(`| consumer start-up (spawn to idle on the queue) | ${ms(startupMs)} |`);
  console.log(`| reports completed / failed | ${stats?.completed} / ${failed} |`);
  console.log(`| model requests / attempts recorded | ${model.chatRequests().length} / ${stats?.attempts} |`);
  console.log(`| done notifications | ${done} |`);
  const problems = [
    ratio > TARGET_RATIO ? `ratio ${ratio.toFixed(2)} is over ${TARGET_RATIO}` : null,
    failed > 0 ? `${failed} report(s) failed` : null,
    done < SESSIONS ? `only ${done} of ${SESSIONS} reports finished` : null,
  ].filter(Boolean);
  console.log(problems.length ? `\nFAIL: ${problems.join('; ')}` : '\nPASS');
  if (problems.length) process.exitCode = 1;
} finally {
  for (const stop of stopAll) await stop().catch((e) => console.error(String(e)));
}

/** A `jobs` process; `ready` once it logs that its workers are on the queue. */
function startConsumer(databaseUrl: string, baseURL: string) {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/jobs.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      OPENAI_BASE_URL: baseURL,
      OPENAI_API_KEY: 'bench',
      GRADING_MODEL: 'bench-grader',
      GRADING_CONCURRENCY: String(CONCURRENCY),
      GRADING_POLL_SECONDS: '0.5',
      LOG_LEVEL: 'info',
    },
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('grading consumer running')) resolve();
    });
  });
  return { process: child, ready };
}

function stopConsumer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function cpuLine() {
  return `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'})`;
}

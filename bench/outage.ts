/**
 * `pnpm bench:outage [--outage 6] [--clients 20]`: the API (served over HTTP,
 * its pool built as `main.ts` builds it) in front of an embedded PostgreSQL
 * that is stopped for `--outage` seconds and started again, while `--clients`
 * students keep reading their case studies, and one report long-poll spans
 * the outage (its report completes a second after the database is back).
 * Prints what the students saw before, during and after the outage: how fast
 * the failures came (and with which status), how soon after the database's
 * return requests succeeded again, and how long the long-poll answered after
 * its report completed. A script, not a test: it exits 1 when a request took
 * longer than the query deadline plus a second, a failure was not 503, or
 * recovery took over a second.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { endSession, migrateDatabase, seedDemo } from '@sp/db';
import { freePort, type RunningPostgres, startEmbeddedPostgres, temporaryDataRoot } from '@sp/dev-postgres';
import { insertSession } from '@sp/dev-postgres/testing';
import { createApp } from '../apps/api/src/app.js';
import { apiConfig, DEV_JWT_SECRET } from '../apps/api/src/config.js';
import { apiDatabase } from '../apps/api/src/http/deps.js';
import { liveKitRooms } from '../apps/api/src/http/livekit.js';
import { signDevToken } from '../apps/api/src/sign-in/dev-token.js';
import { claimReport, finishReport } from '../packages/grading/src/index.js';

const { values } = parseArgs({
  options: { outage: { type: 'string', default: '6' }, clients: { type: 'string', default: '20' } },
});
const OUTAGE_S = Number(values.outage);
const CLIENTS = Number(values.clients);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = await temporaryDataRoot('sp-bench-outage-');
const port = await freePort();
const start = () => startEmbeddedPostgres({ dataDir: join(dir, 'data'), port, persistent: true, fast: true });
let pg: RunningPostgres = await start();
await migrateDatabase(pg.url);

const config = apiConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.BENCH_LOG ?? 'silent' });
const handle = apiDatabase(pg.url, config);
const { tenant, caseStudies } = await seedDemo(handle.db);
const app = createApp({ db: handle.db, config, livekit: liveKitRooms(config) });
const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
  );
});
const token = await signDevToken(
  { userId: 'bench-student', tenantId: tenant.id, role: 'student' },
  { secret: DEV_JWT_SECRET },
);
const headers = { authorization: `Bearer ${token}` };

interface Sample {
  at: number;
  ms: number;
  status: number;
}
const samples: Sample[] = [];
let running = true;
async function student() {
  while (running) {
    const at = performance.now();
    const status = await fetch(`${server.url}/v1/case-studies`, { headers }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status;
      },
      () => 0,
    );
    samples.push({ at, ms: performance.now() - at, status });
    if (status !== 200) await sleep(20);
  }
}

// A session whose report the long-poll waits for.
const caseStudy = caseStudies[0];
if (!caseStudy) throw new Error('no seeded case study');
const session = await insertSession(handle.db, {
  tenantId: tenant.id,
  userId: 'bench-student',
  contentId: caseStudy.id,
  status: 'active',
});
await endSession(handle.db, session.id, 'user_ended');

const students = Array.from({ length: CLIENTS }, student);
await sleep(2_000);
const polling = fetch(`${server.url}/v1/sessions/${session.id}/report?wait_for_completion=true&timeout_seconds=120`, {
  headers,
}).then((r) => ({ status: r.status, at: performance.now() }));
// Long enough for the long-poll's first read on a busy machine: then it only waits.
await sleep(2_000);

const downAt = performance.now();
await pg.stop();
const stoppedAt = performance.now();
await sleep(OUTAGE_S * 1000);
pg = await start();
const upAt = performance.now();
await sleep(1_000);
await claimReport(handle.db, session.id, 60);
await finishReport(handle.db, session.id, { status: 'failed', error: 'bench', grader: 'heuristic', model: null });
const completedAt = performance.now();
const poll = await polling;
await sleep(3_000);
running = false;
await Promise.all(students);

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0;
};
const row = (label: string, xs: Sample[]) => {
  const ms = xs.map((s) => s.ms);
  const counts = new Map<number, number>();
  for (const sample of xs) counts.set(sample.status, (counts.get(sample.status) ?? 0) + 1);
  const statuses = [...counts].map(([status, n]) => `${status}×${n}`).join(' ');
  console.log(
    `${label.padEnd(22)} ${String(xs.length).padStart(6)}  p50 ${pct(ms, 50).toFixed(0).padStart(5)} ms  p99 ${pct(ms, 99).toFixed(0).padStart(5)} ms  max ${Math.max(
      0,
      ...ms,
    )
      .toFixed(0)
      .padStart(5)} ms  ${statuses}`,
  );
};
const before = samples.filter((s) => s.at + s.ms < downAt);
const during = samples.filter((s) => s.at >= stoppedAt && s.at < upAt);
const after = samples.filter((s) => s.at >= upAt);
const firstOk = after.find((s) => s.status === 200);
const recovery = firstOk ? (firstOk.at + firstOk.ms - upAt) / 1000 : Number.POSITIVE_INFINITY;
const afterRecovery = firstOk ? after.filter((s) => s.at >= firstOk.at) : [];

console.log(
  `outage of ${OUTAGE_S} s (stopping took ${((stoppedAt - downAt) / 1000).toFixed(2)} s), ${CLIENTS} students`,
);
row('before', before);
row('during the outage', during);
row('after its return', after);
row('after the first 200', afterRecovery);
console.log(`first 200 after the database was back: ${recovery.toFixed(2)} s`);
console.log(`long-poll: ${poll.status}, ${((poll.at - completedAt) / 1000).toFixed(2)} s after its report completed`);

const deadlineMs = (config.DATABASE_QUERY_TIMEOUT_SECONDS + 1) * 1000;
const failures = [
  during.some((s) => s.ms > deadlineMs) && 'a request during the outage took longer than the query deadline + 1 s',
  during.some((s) => s.status !== 503 && s.status !== 200) && 'a request during the outage failed other than 503',
  recovery > 1 && 'requests took over a second to recover',
  afterRecovery.some((s) => s.status !== 200) && 'a request failed after recovery',
  poll.status !== 200 && 'the long-poll did not answer the report',
].filter(Boolean);
server.close();
await handle.close();
await pg.stop();
await rm(dir, { recursive: true, force: true });
for (const f of failures) console.log(`FAIL: ${f}`);
process.exit(failures.length ? 1 : 0);

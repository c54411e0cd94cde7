/**
 * `pnpm bench:api [--clients 50] [--seconds 10]`: simulated students run
 * initialize → get → end cycles against the API over HTTP on 127.0.0.1, with
 * embedded PostgreSQL, all in this process: the API on the main thread, the
 * LiveKit fake and the students each on a worker thread of their own. In the same run, a floor: a bare Hono app whose routes
 * make the same number of Postgres round trips per call (counted from the
 * API's own traffic) and nothing else. A script, not a test: it prints a table.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Sql } from '@sp/db';
import { Hono } from 'hono';
import { createApp } from '../apps/api/src/app.js';
import { apiConfig, DEV_JWT_SECRET } from '../apps/api/src/config.js';
import { liveKitRooms } from '../apps/api/src/http/livekit.js';
import { signDevToken } from '../apps/api/src/sign-in/dev-token.js';
import { liveKitSettings } from '../packages/testkit/src/index.js';
import { apiCycle, CALLS, type Call, type StudentsJob, type StudentsResult } from './students.js';
import { benchDatabase, firstMessage, listen, percentile, thread } from './support.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    // Counts every session start in PostgreSQL, with a limit no student reaches: the limiter's cost per request.
    'rate-limits': { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);

const { handle, tenant, caseStudies, stop } = await benchDatabase('api');
const stopAll: (() => Promise<unknown>)[] = [stop];
try {
  const caseId = caseStudies[0]?.id ?? '';
  await handle.sql`update case_studies set max_attempts = 1000000 where id = ${caseId}`;

  const livekitThread = thread('./livekit-thread.ts');
  stopAll.unshift(() => livekitThread.terminate());
  const livekit = await firstMessage<{ url: string; apiKey: string; apiSecret: string }>(livekitThread);
  const config = apiConfig({
    LOG_LEVEL: 'silent',
    ...liveKitSettings(livekit),
    RATE_LIMIT_SESSION_STARTS: values['rate-limits'] ? '1000000000' : 'unlimited',
  });
  const api = await listen(createApp({ db: handle.db, config, livekit: liveKitRooms(config) }).fetch);
  stopAll.unshift(api.close);
  const tokens = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      signDevToken({ userId: `bench-${i}`, tenantId: tenant.id, role: 'student' }, { secret: DEV_JWT_SECRET }),
    ),
  );

  const job = { baseUrl: api.url, tokens, caseId };
  await students({ ...job, target: 'api', seconds: 2 }); // warm-up: JIT, pool connections, prepared statements
  const roundTrips = await countRoundTrips(handle.sql, (time) => apiCycle(job, tokens[0] ?? '', time));

  const floor = await listen(floorApp(handle.sql, roundTrips).fetch);
  stopAll.unshift(floor.close);

  const apiResult = await students({ ...job, target: 'api', seconds: SECONDS });
  await students({ ...job, baseUrl: floor.url, target: 'floor', seconds: 2 });
  const floorResult = await students({ ...job, baseUrl: floor.url, target: 'floor', seconds: SECONDS });
  report(apiResult, floorResult, roundTrips);
} finally {
  for (const stop of stopAll) await stop().catch(() => {});
}

/** The floor: per call, the API's number of Postgres round trips as `select 1`, and a JSON answer. */
function floorApp(sql: Sql, roundTrips: Record<Call, number>) {
  const app = new Hono();
  const selectOne = () => sql`select 1`;
  for (const call of CALLS) {
    app.post(`/floor/${call}`, async (c) => {
      const trips = roundTrips[call];
      // The API reads a session and its transcript in parallel; the floor does the same.
      if (call === 'get') await Promise.all(Array.from({ length: trips }, selectOne));
      else for (let i = 0; i < trips; i++) await selectOne();
      return c.json({ success: true, data: { session: { id: 'floor' } } });
    });
  }
  return app;
}

function students(job: StudentsJob): Promise<StudentsResult> {
  return new Promise((resolve, reject) => {
    const worker = thread('./students.ts', job);
    worker.once('message', (result: StudentsResult) => {
      if (result.firstError)
        console.error(`${job.target}: ${result.errors} failed cycles, first: ${result.firstError}`);
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** Postgres statements per call, from postgres.js's debug hook, over one warm cycle. */
async function countRoundTrips(
  sql: Sql,
  cycle: (time: (call: Call, send: () => Promise<Response>) => Promise<Response>) => Promise<void>,
): Promise<Record<Call, number>> {
  const counts: Record<Call, number> = { initialize: 0, get: 0, end: 0 };
  let current: Call | null = null;
  const options = sql.options as { debug?: unknown };
  options.debug = () => {
    if (current) counts[current]++;
  };
  await cycle(async (call, send) => {
    current = call;
    const res = await send();
    await res.clone().arrayBuffer();
    current = null;
    return res;
  });
  options.debug = undefined;
  return counts;
}

function report(api: StudentsResult, floor: StudentsResult, roundTrips: Record<Call, number>) {
  const rate = (r: StudentsResult) => r.cycles / r.seconds;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`\nAPI bench: ${CLIENTS} concurrent students, ${SECONDS} s per run`);
  console.log(`${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}\n`);
  console.log('| run | cycles/s | call | PG round trips | p50 | p99 |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: |');
  for (const [name, result] of [
    ['api', api],
    ['floor', floor],
  ] as const) {
    for (const call of CALLS) {
      const l = result.latencies[call];
      const cycles = call === 'initialize' ? rate(result).toFixed(0) : '';
      console.log(
        `| ${name} | ${cycles} | ${call} | ${roundTrips[call]} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} |`,
      );
    }
  }
  const ratio = rate(api) / rate(floor);
  const p99 = percentile(api.latencies.initialize, 99);
  console.log(`\nfloor = bare Hono route making the same number of Postgres round trips (select 1) per call`);
  console.log(
    `throughput: api ${rate(api).toFixed(0)} cycles/s = ${(ratio * 100).toFixed(0)}% of the floor (target >= 50%)`,
  );
  console.log(`initialize p99: ${ms(p99)} (target < 50 ms); failed cycles: api ${api.errors}, floor ${floor.errors}`);
}

/**
 * `pnpm bench:agent [--sessions 50] [--turns 20] [--llm-ms 300] [--heartbeat-seconds 20]`:
 * concurrent patient jobs in text mode (the real AgentSession, a FakeLLM with a
 * fixed latency) against embedded PostgreSQL, every turn written by the real
 * transcript recorder. Reports what our code adds per turn (turn committed →
 * row stored, p50/p99), memory per session, and what the heartbeat costs in a
 * second phase where only the active timers of the same sessions run.
 * A script, not a test: it prints a table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { newRoomName } from '@sp/core';
import { connect, freePort, migrateDatabase, seedDemo, sessions, startEmbeddedPostgres } from '@sp/db';
import { ActiveTimer } from '../apps/agent/src/active-timer.js';
import { startPatientJob } from '../apps/agent/src/patient-job.js';
import { LiveKitStudentRoom } from '../apps/agent/src/student-room.js';
import { FakeJob } from '../apps/agent/test/support/fake-job.js';
import { fakeLLM, silentLogger, startTextSession } from '../apps/agent/test/support/text-mode.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    turns: { type: 'string', default: '20' },
    'llm-ms': { type: 'string', default: '300' },
    'heartbeat-seconds': { type: 'string', default: '20' },
  },
});
const SESSIONS = Number(values.sessions);
const TURNS = Number(values.turns);
const LLM_MS = Number(values['llm-ms']);
const HEARTBEAT_PHASE_S = Number(values['heartbeat-seconds']);
const HEARTBEAT_MS = 5_000;

const logger = silentLogger;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const mb = (bytes: number) => bytes / 1024 / 1024;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const dir = await mkdtemp(join(tmpdir(), 'sp-bench-agent-'));
const pg = await startEmbeddedPostgres({
  dataDir: join(dir, 'data'),
  port: await freePort(),
  persistent: false,
  fast: true,
});
const stopAll: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true }), () => pg.stop()];
try {
  await migrateDatabase(pg.url);
  const handle = connect(pg.url, { max: 20, applicationName: 'bench-agent' });
  stopAll.unshift(() => handle.close());
  const { tenant, caseStudies } = await seedDemo(handle.db);
  const caseStudy = caseStudies[0];
  if (!caseStudy) throw new Error('no seeded case study');
  const rows = await handle.db
    .insert(sessions)
    .values(
      Array.from({ length: SESSIONS }, (_, i) => ({
        tenantId: tenant.id,
        userId: `bench-${i}`,
        contentId: caseStudy.id,
        roomName: newRoomName(),
        attemptNumber: 1,
      })),
    )
    .returning();
  const responses = Array.from({ length: TURNS }, (_, t) => ({
    input: `Question ${t + 1}?`,
    content: `This is the patient's answer number ${t + 1}, a sentence of ordinary length.`,
    ttft: LLM_MS / 2,
    duration: LLM_MS,
  }));

  // Phase 1: conversations.
  const persistMs: number[] = [];
  const writeMs: number[] = [];
  const greetingMs: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  gc();
  const memoryBefore = process.memoryUsage();
  const started = performance.now();
  const calls = await Promise.all(
    rows.map(async (row) => {
      const fake = new FakeJob(row.roomName, {
        identity: `user-${row.userId}`,
        attributes: {
          tenant_id: row.tenantId,
          user_id: row.userId,
          session_id: row.id,
          case_study_id: row.contentId,
        },
      });
      const llm = fakeLLM(responses);
      const job = await startPatientJob({
        db: handle.db,
        room: new LiveKitStudentRoom(fake, { deleteRoom: async () => {} }),
        logger,
        timer: { heartbeatMs: HEARTBEAT_MS, warningBeforeEndMs: 0 },
        recorder: {
          onStored: (row, timing) => {
            // The 50 greetings all land in the same instant at start; they are reported on their own.
            if (row.sequence === 1) return greetingMs.push(timing.latencyMs);
            persistMs.push(timing.latencyMs);
            writeMs.push(timing.writeMs);
          },
        },
        startSession: (agent) => startTextSession(agent, llm),
      });
      if (job.kind !== 'running') throw new Error(`bench job refused: ${job.reason}`);
      return job.call;
    }),
  );
  gc();
  const memoryStarted = process.memoryUsage();
  let memoryPeak = memoryStarted;
  loopDelay.enable();
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.heapUsed > memoryPeak.heapUsed) memoryPeak = now;
  }, 200);
  await Promise.all(
    calls.map(async (call, i) => {
      // Students do not speak in lockstep: spread the first questions over one answer's time.
      await new Promise((resolve) => setTimeout(resolve, (i * LLM_MS) / SESSIONS));
      for (let t = 0; t < TURNS; t++) await call.session.run({ userInput: `Question ${t + 1}?` }).wait();
      await call.recorder.flush();
    }),
  );
  clearInterval(sampler);
  loopDelay.disable();
  const conversationSeconds = (performance.now() - started) / 1000;
  await Promise.all(calls.map((call) => call.shutdown('bench over')));
  const [{ stored } = { stored: 0 }] = await handle.sql`select count(*)::int as stored from session_messages`;

  // Phase 2: only the active timers of the same sessions, heartbeating every 5 s.
  const timers = rows.map(
    (row) =>
      new ActiveTimer(
        handle.db,
        { sessionId: row.id, roomName: row.roomName },
        { heartbeatMs: HEARTBEAT_MS, warningBeforeEndMs: 0 },
        { onWarning: () => {}, onExpired: () => {}, onGone: () => {} },
        logger,
      ),
  );
  await Promise.all(timers.map((timer) => timer.connect()));
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_PHASE_S * 1000));
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  timers.forEach((timer) => {
    timer.stop();
  });
  const [{ written } = { written: 0 }] =
    await handle.sql`select count(*)::int as written from sessions where last_activity > now() - make_interval(secs => ${HEARTBEAT_PHASE_S})`;

  const sorted = [...persistMs].sort((a, b) => a - b);
  const writes = [...writeMs].sort((a, b) => a - b);
  const greetings = [...greetingMs].sort((a, b) => a - b);
  const heartbeatCpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  const table = [
    ['machine', `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`],
    ['sessions × turns', `${SESSIONS} × ${TURNS} (FakeLLM ${LLM_MS} ms per answer)`],
    ['rows stored', `${stored} (expected ${SESSIONS * (2 * TURNS + 1)}: greeting + ${TURNS} questions and answers)`],
    ['conversation phase', `${conversationSeconds.toFixed(1)} s`],
    ['persist latency p50', `${percentile(sorted, 0.5).toFixed(2)} ms (${sorted.length} conversation turns)`],
    ['persist latency p99', `${percentile(sorted, 0.99).toFixed(2)} ms (target < 20 ms)`],
    ['persist latency max', `${(sorted.at(-1) ?? NaN).toFixed(2)} ms`],
    [
      '  of which the write',
      `p50 ${percentile(writes, 0.5).toFixed(2)} ms, p99 ${percentile(writes, 0.99).toFixed(2)} ms`,
    ],
    [
      'greetings at start',
      `p50 ${percentile(greetings, 0.5).toFixed(2)} ms, p99 ${percentile(greetings, 0.99).toFixed(2)} ms ` +
        `(${greetings.length} written at the same instant)`,
    ],
    [
      'event-loop delay',
      `p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms ` +
        `(${SESSIONS} agent sessions in one process)`,
    ],
    [
      'memory per session',
      `${mb((memoryStarted.heapUsed - memoryBefore.heapUsed) / SESSIONS).toFixed(2)} MB heap at start, ` +
        `${mb((memoryPeak.heapUsed - memoryBefore.heapUsed) / SESSIONS).toFixed(2)} MB heap at peak, ` +
        `${mb((memoryPeak.rss - memoryBefore.rss) / SESSIONS).toFixed(2)} MB rss at peak`,
    ],
    [
      'heartbeat cost',
      `${heartbeatCpuPct.toFixed(2)} % of one core for ${SESSIONS} sessions every ${HEARTBEAT_MS / 1000} s ` +
        `over ${(wall / 1000).toFixed(0)} s (target < 1 %); ${written}/${SESSIONS} sessions heartbeated`,
    ],
  ];
  const width = Math.max(...table.map(([k]) => k?.length ?? 0));
  for (const [k, v] of table) console.log(`${k?.padEnd(width)}  ${v}`);
} finally {
  for (const stop of stopAll) await stop().catch(() => {});
}
process.exit(0);

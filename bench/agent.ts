/**
 * `pnpm bench:agent [--sessions 50] [--turns 20] [--llm-ms 1000] [--heartbeat-seconds 30]`:
 * concurrent patient jobs in text mode (the real AgentSession, a FakeLLM with a
 * fixed latency) against embedded PostgreSQL, every turn written by the real
 * transcript recorder. Reports what our code adds per turn (turn committed →
 * row stored, p50/p99), memory per session, and what the heartbeat costs in a
 * second phase where only the active timers of the same sessions run: the
 * worker's CPU, the heartbeat UPDATEs (count and round trip, timed at the
 * client) and the PostgreSQL server's CPU read from /proc (pg_stat_statements
 * is not available on the embedded server).
 * A script, not a test: it prints a table.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { heartbeat, latestVersionId, openSegment, sessions } from '@sp/db';
import { ActiveTimer } from '../apps/agent/src/active-timer.js';
import { startPatientJob } from '../apps/agent/src/patient-job.js';
import { LiveKitStudentRoom } from '../apps/agent/src/student-room.js';
import { FakeJob } from '../apps/agent/test/support/fake-job.js';
import { fakeLLM, silentLogger, startTextSession } from '../apps/agent/test/support/text-mode.js';
import { newRoomName } from '../apps/api/src/http/livekit.js';
import { benchDatabase, percentile } from './support.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    turns: { type: 'string', default: '20' },
    // A patient's answer takes a model about a second to start; 300 ms keeps this machine's two cores busy with
    // the framework's own work for 50 sessions (try it), which then measures queueing more than our code.
    'llm-ms': { type: 'string', default: '1000' },
    'heartbeat-seconds': { type: 'string', default: '30' },
  },
});
const SESSIONS = Number(values.sessions);
const TURNS = Number(values.turns);
const LLM_MS = Number(values['llm-ms']);
const HEARTBEAT_PHASE_S = Number(values['heartbeat-seconds']);
const HEARTBEAT_MS = 5_000;
/** How long the idle floor is measured before the heartbeat phase. */
const IDLE_PHASE_S = HEARTBEAT_PHASE_S;
/** Heartbeats written back to back to measure one in isolation. */
const HEARTBEAT_SAMPLES = 2_000;

const logger = silentLogger;
const mb = (bytes: number) => bytes / 1024 / 1024;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Clock ticks per second of /proc's CPU times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * CPU ms used so far by the PostgreSQL server: the postmaster and every process
 * it forked (backends and background workers), from /proc. Null where there is no /proc.
 */
function postgresCpuMs(postmasterPid: number): number | null {
  const ticks = (fields: string[]) => Number(fields[11]) + Number(fields[12]); // utime + stime
  try {
    let total = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // ended meanwhile
      }
      // After "pid (comm) ": state, ppid, ... utime (field 14) and stime (field 15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmasterPid || Number(fields[1]) === postmasterPid) total += ticks(fields);
    }
    return (total * 1000) / clockTicks();
  } catch {
    return null;
  }
}

const pg = await benchDatabase('agent');
const { handle, tenant, caseStudies } = pg;
const stopAll: (() => Promise<unknown>)[] = [pg.stop];
try {
  const caseStudy = caseStudies[0];
  if (!caseStudy) throw new Error('no seeded case study');
  const rows = await handle.db
    .insert(sessions)
    .values(
      Array.from({ length: SESSIONS }, (_, i) => ({
        tenantId: tenant.id,
        userId: `bench-${i}`,
        contentId: caseStudy.id,
        caseStudyVersionId: latestVersionId(caseStudy.id),
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

  // The idle floor first: what this process and Postgres burn with no timer running (pools, background
  // workers), once the conversation phase's garbage is collected and its last writes have settled.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idle = await cpuOver(IDLE_PHASE_S * 1000, pg.pid);

  // Phase 2: only the active timers of the same sessions, heartbeating every 5 s.
  const heartbeats: { startedAt: number; ms: number }[] = [];
  const timers = rows.map(
    (row) =>
      new ActiveTimer(
        handle.db,
        { sessionId: row.id, roomName: row.roomName },
        {
          heartbeatMs: HEARTBEAT_MS,
          warningBeforeEndMs: 0,
          onHeartbeat: ({ ms }) => heartbeats.push({ startedAt: performance.now() - ms, ms }),
        },
        { onWarning: () => {}, onExpired: () => {}, onGone: () => {} },
        logger,
      ),
  );
  await Promise.all(timers.map((timer) => timer.connect()));
  gc(); // like the idle floor, the window starts with no earlier garbage to collect
  const pgCpuBefore = postgresCpuMs(pg.pid);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_PHASE_S * 1000));
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  const pgCpuAfter = postgresCpuMs(pg.pid);
  timers.forEach((timer) => {
    timer.stop();
  });
  await Promise.all(timers.map((timer) => timer.idle()));
  const [{ written } = { written: 0 }] =
    await handle.sql`select count(*)::int as written from sessions where last_activity > now() - make_interval(secs => ${HEARTBEAT_PHASE_S})`;

  // Phase 3: the cost of one heartbeat in isolation (the live phase's few % are at the edge of what this
  // machine's CPU accounting can tell apart): many in a row against one open segment, CPU per write.
  const sample = rows[0];
  if (!sample) throw new Error('no session to heartbeat');
  await openSegment(handle.db, { sessionId: sample.id, roomName: sample.roomName });
  gc();
  const isolated = await cpuOf(async () => {
    for (let i = 0; i < HEARTBEAT_SAMPLES; i++)
      await heartbeat(handle.db, { sessionId: sample.id, roomName: sample.roomName });
  }, pg.pid);
  const perBeat = {
    nodeMs: isolated.nodeMs / HEARTBEAT_SAMPLES,
    pgMs: isolated.pgMs === null ? null : isolated.pgMs / HEARTBEAT_SAMPLES,
  };
  const beatsPerSecond = SESSIONS / (HEARTBEAT_MS / 1000);
  const atRatePct = (ms: number) => (ms * beatsPerSecond * 100) / 1000;

  const sorted = [...persistMs].sort((a, b) => a - b);
  const writes = [...writeMs].sort((a, b) => a - b);
  const greetings = [...greetingMs].sort((a, b) => a - b);
  const heartbeatCpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100 - idle.nodePct;
  const pgCpuPct =
    pgCpuBefore !== null && pgCpuAfter !== null && idle.pgPct !== null
      ? ((pgCpuAfter - pgCpuBefore) / wall) * 100 - idle.pgPct
      : null;
  // The heartbeats that started inside the measured window (each timer ticks every 5 s from its connect).
  const beats = heartbeats
    .filter((beat) => beat.startedAt >= wallBefore && beat.startedAt <= wallBefore + wall)
    .map((beat) => beat.ms)
    .sort((a, b) => a - b);
  const beatsMean = beats.reduce((sum, ms) => sum + ms, 0) / beats.length;
  const table = [
    ['machine', `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`],
    ['sessions × turns', `${SESSIONS} × ${TURNS} (FakeLLM ${LLM_MS} ms per answer)`],
    ['rows stored', `${stored} (expected ${SESSIONS * (2 * TURNS + 1)}: greeting + ${TURNS} questions and answers)`],
    ['conversation phase', `${conversationSeconds.toFixed(1)} s`],
    ['persist latency p50', `${percentile(sorted, 50).toFixed(2)} ms (${sorted.length} conversation turns)`],
    ['persist latency p99', `${percentile(sorted, 99).toFixed(2)} ms (target < 20 ms)`],
    ['persist latency max', `${(sorted.at(-1) ?? NaN).toFixed(2)} ms`],
    [
      '  of which the write',
      `p50 ${percentile(writes, 50).toFixed(2)} ms, p99 ${percentile(writes, 99).toFixed(2)} ms`,
    ],
    [
      'greetings at start',
      `p50 ${percentile(greetings, 50).toFixed(2)} ms, p99 ${percentile(greetings, 99).toFixed(2)} ms ` +
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
      'heartbeat UPDATEs',
      `${beats.length} over ${(wall / 1000).toFixed(0)} s (${((beats.length / wall) * 1000).toFixed(1)}/s), ` +
        `round trip mean ${beatsMean.toFixed(2)} ms, p99 ${percentile(beats, 99).toFixed(2)} ms ` +
        `(timed at the client, waiting for one of the pool's 20 connections included: the timers tick together); ` +
        `${written}/${SESSIONS} sessions heartbeated`,
    ],
    [
      'heartbeat cost, worker',
      `${heartbeatCpuPct.toFixed(2)} % of one core (Node) for ${SESSIONS} sessions every ${HEARTBEAT_MS / 1000} s, ` +
        `beyond the idle process (${idle.nodePct.toFixed(2)} % over ${IDLE_PHASE_S} s with no timer)`,
    ],
    [
      'heartbeat cost, Postgres',
      pgCpuPct === null
        ? 'not measurable here (no /proc)'
        : `${pgCpuPct.toFixed(2)} % of one core (every server process, from /proc in ` +
          `${(1000 / clockTicks()).toFixed(0)} ms ticks), beyond the idle server (${idle.pgPct?.toFixed(2)} %)`,
    ],
    ['heartbeat cost, total', `${(heartbeatCpuPct + (pgCpuPct ?? 0)).toFixed(2)} % of one core, live`],
    [
      'one heartbeat, isolated',
      `${perBeat.nodeMs.toFixed(3)} ms Node + ${perBeat.pgMs?.toFixed(3) ?? '?'} ms PostgreSQL of CPU ` +
        `(${HEARTBEAT_SAMPLES} in a row); at ${beatsPerSecond} a second: ` +
        `${atRatePct(perBeat.nodeMs + (perBeat.pgMs ?? 0)).toFixed(2)} % of one core (target < 1 %)`,
    ],
  ];
  const width = Math.max(...table.map(([k]) => k?.length ?? 0));
  for (const [k, v] of table) console.log(`${k?.padEnd(width)}  ${v}`);
} finally {
  for (const stop of stopAll) await stop().catch(() => {});
}

/** CPU of this process and of the Postgres server while `work` runs, in ms. */
async function cpuOf(work: () => Promise<void>, pgPid: number): Promise<{ nodeMs: number; pgMs: number | null }> {
  const pgBefore = postgresCpuMs(pgPid);
  const before = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(before);
  const pgAfter = postgresCpuMs(pgPid);
  return {
    nodeMs: (cpu.user + cpu.system) / 1000,
    pgMs: pgBefore !== null && pgAfter !== null ? pgAfter - pgBefore : null,
  };
}

/** CPU of this process and of the Postgres server over a wait, in % of one core. */
async function cpuOver(ms: number, pgPid: number): Promise<{ nodePct: number; pgPct: number | null }> {
  const pgBefore = postgresCpuMs(pgPid);
  const before = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpu = process.cpuUsage(before);
  const wall = performance.now() - started;
  const pgAfter = postgresCpuMs(pgPid);
  return {
    nodePct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    pgPct: pgBefore !== null && pgAfter !== null ? ((pgAfter - pgBefore) / wall) * 100 : null,
  };
}
process.exit(0);

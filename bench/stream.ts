/**
 * `pnpm bench:stream [--streams 200] [--seconds 10] [--ttft 500] [--words 120] [--chunk-ms 50]`:
 * N students at once (starting spread over the first 5 s, which are not
 * counted), each streaming one answer after another, with the
 * OpenAI-wire model server (a fixed time to first token, then the answer three
 * words per chunk) and the students each on a thread of their own, against:
 *
 * - the floor: a bare Hono route that streams the model through the same
 *   official client into Server-Sent Events, with no token, validation,
 *   database or guardrail: what any implementation pays on this machine;
 * - the study-assistant chat, on embedded PostgreSQL;
 * - a session's text channel, on embedded PostgreSQL.
 *
 * Per stream, timed inside the server process (so the loopback transit, the
 * students' and the model's threads do not count): from the request reaching
 * the server's fetch handler to the model request leaving it, plus from the
 * model's first byte arriving to the first `delta` frame leaving the handler.
 * That is the latency the server adds before the first delta; what our code
 * adds is that figure beyond the floor's. The client's own time to first delta
 * is shown beside it. For our runs it also shows what keeping the frames for
 * resumption cost (docs/streaming.md): frames and statements stored, and the
 * database time per frame (each batch statement's round trip, under this load,
 * divided by its frames). `--flush-ms` sets STREAM_REPLAY_FLUSH_MS. A script,
 * not a test.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type ConfiguredProvider, modelConfig, modelProvider, streamChat } from '@sp/models';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { createApp } from '../apps/api/src/app.js';
import { apiConfig, DEV_JWT_SECRET } from '../apps/api/src/config.js';
import { BackgroundWork } from '../apps/api/src/http/background-work.js';
import { liveKitRooms } from '../apps/api/src/http/livekit.js';
import { signDevToken } from '../apps/api/src/sign-in/dev-token.js';
import { replayStats } from '../apps/api/src/streaming/stream-replay.js';
import type { ModelThreadOptions, ModelTiming } from './model-thread.js';
import type { StreamClientsJob, StreamClientsResult } from './stream-clients.js';
import { benchDatabase, firstMessage, listen, percentile, thread } from './support.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    ttft: { type: 'string', default: '500' },
    words: { type: 'string', default: '120' },
    'chunk-ms': { type: 'string', default: '50' },
    'flush-ms': { type: 'string', default: '200' },
  },
});
const STREAMS = Number(values.streams);
const SECONDS = Number(values.seconds);
const TTFT_MS = Number(values.ttft);
const WORDS = Number(values.words);
const CHUNK_MS = Number(values['chunk-ms']);
/** Students start spread over the first seconds; streams sent before the ramp ends are not counted. */
const RAMP_SECONDS = 5;
const ANSWER = Array.from(
  { length: WORDS },
  (_, i) => ['osmosis', 'moves', 'water', 'across', 'membranes'][i % 5],
).join(' ');

type Target = 'floor' | 'chat' | 'session';

/** Per stream (by the marker the students send), when each step happened in this process (ms, high resolution). */
interface ServerTiming {
  requestIn: number;
  modelOut?: number;
  modelFirstByte?: number;
  firstDeltaOut?: number;
}
const serverTimings = new Map<string, ServerTiming>();
const epochNow = () => performance.timeOrigin + performance.now();
/** The last marker: earlier ones belong to the conversation's history. */
const markerIn = (text: string) => [...text.matchAll(/\[bench:([^\]]+)\]/g)].at(-1)?.[1];

/** The model client's fetch, timing when the request leaves and its first byte comes back. */
const timedModelFetch: typeof fetch = async (input, init) => {
  const timing = serverTimings.get(markerIn(String(init?.body ?? '')) ?? '');
  if (timing) timing.modelOut = epochNow();
  const response = await fetch(input, init);
  if (timing) timing.modelFirstByte = epochNow();
  return response;
};

/** The server's fetch handler, timing when a request comes in and its first delta frame goes out. */
function timedHandler(handler: (req: Request) => Response | Promise<Response>) {
  return async (req: Request) => {
    const marker = req.headers.get('x-bench-marker');
    if (!marker) return handler(req);
    const timing: ServerTiming = { requestIn: epochNow() };
    serverTimings.set(marker, timing);
    const res = await handler(req);
    if (!res.body) return res;
    const decoder = new TextDecoder();
    const watch = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        if (timing.firstDeltaOut === undefined && decoder.decode(chunk).includes('event: delta')) {
          timing.firstDeltaOut = epochNow();
        }
        out.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(watch), res);
  };
}
interface Row {
  target: Target;
  streamsPerSecond: number;
  failed: number;
  /** In the server process: request in → model request out, plus model first byte in → first delta out. */
  serverAdded: number[];
  /** At the client: time to first delta minus the model's own time to first byte. */
  clientAdded: number[];
  ttfd: number[];
  /** What storing the frames for resumption cost in this run. */
  replay: { frames: number; statements: number; ms: number };
}

const { handle, tenant, caseStudies, stop } = await benchDatabase('stream');
const stopAll: (() => Promise<unknown>)[] = [stop];
try {
  const caseId = caseStudies[0]?.id ?? '';
  await handle.sql`update case_studies set max_attempts = 1000000, duration_limit = 7200 where id = ${caseId}`;

  const modelThread = thread('./model-thread.ts', {
    ttftMs: TTFT_MS,
    chunkDelayMs: CHUNK_MS,
    answer: ANSWER,
  } satisfies ModelThreadOptions);
  stopAll.unshift(() => modelThread.terminate());
  const { baseURL } = await firstMessage<{ baseURL: string }>(modelThread);
  const models = modelProvider(modelConfig({ OPENAI_BASE_URL: baseURL }), { fetch: timedModelFetch });
  if (!models.configured) throw new Error('the bench model is not configured');

  const config = apiConfig({
    LOG_LEVEL: 'silent',
    CHAT_DAILY_QUOTA: 'unlimited',
    STREAM_REPLAY_FLUSH_MS: values['flush-ms'],
  });
  const work = new BackgroundWork();
  const api = await listen(
    timedHandler(createApp({ db: handle.db, config, livekit: liveKitRooms(config), models, work }).fetch),
  );
  stopAll.unshift(api.close);
  const floor = await listen(timedHandler(floorApp(models).fetch));
  stopAll.unshift(floor.close);

  const tokenOf = (userId: string) =>
    signDevToken({ userId, tenantId: tenant.id, role: 'student' }, { secret: DEV_JWT_SECRET });
  const chatStudents = await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => ({ token: await tokenOf(`chat-${i}`) })),
  );
  const textStudents = await Promise.all(
    Array.from({ length: STREAMS }, async (_, i) => {
      const token = await tokenOf(`text-${i}`);
      const res = await fetch(`${api.url}/v1/sessions/initialize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content_id: caseId, channel: 'text' }),
      });
      const body = (await res.json()) as { data?: { session: { id: string } } };
      if (!body.data) throw new Error(`initialize answered ${res.status}: ${JSON.stringify(body)}`);
      return { token, sessionId: body.data.session.id };
    }),
  );

  const rows: Row[] = [];
  for (const [target, baseUrl, students] of [
    ['floor', floor.url, chatStudents],
    ['chat', api.url, chatStudents],
    ['session', api.url, textStudents],
  ] as const) {
    const job = { target: target === 'session' ? 'session' : 'chat', baseUrl, students } as const;
    await clients({ ...job, seconds: RAMP_SECONDS, rampSeconds: RAMP_SECONDS }); // warm-up: JIT, pool connections
    await timings(modelThread);
    serverTimings.clear();
    Object.assign(replayStats, { frames: 0, statements: 0, ms: 0 });
    const result = await clients({ ...job, seconds: RAMP_SECONDS + SECONDS, rampSeconds: RAMP_SECONDS });
    await work.idle();
    rows.push({ ...measure(target, result, await timings(modelThread)), replay: { ...replayStats } });
  }
  report(rows);
} finally {
  for (const stop of stopAll) await stop().catch(() => {});
}

/** The floor: HTTP in, the model through the official client, each delta out as an SSE frame. Nothing else. */
function floorApp(models: ConfiguredProvider) {
  return new Hono().post('/v1/mind/chat', async (c) => {
    const { body } = (await c.req.json()) as { body: string };
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'meta', data: '{}' });
      for await (const text of streamChat(models, { messages: [{ role: 'user', content: body }] })) {
        await stream.writeSSE({ event: 'delta', data: JSON.stringify({ text }) });
      }
      await stream.writeSSE({ event: 'done', data: '{}' });
    });
  });
}

function clients(job: StreamClientsJob): Promise<StreamClientsResult> {
  const worker = thread('./stream-clients.ts', job);
  return firstMessage<StreamClientsResult>(worker).finally(() => void worker.terminate());
}

function timings(modelThread: ReturnType<typeof thread>): Promise<ModelTiming[]> {
  const answer = firstMessage<ModelTiming[]>(modelThread);
  modelThread.postMessage('timings');
  return answer;
}

function measure(target: Target, result: StreamClientsResult, model: ModelTiming[]): Row {
  if (result.firstError) console.error(`${target}: ${result.errors} failed streams, first: ${result.firstError}`);
  const byMarker = new Map(model.map((t) => [t.marker, t]));
  const row: Row = {
    target,
    streamsPerSecond: result.records.length / result.seconds,
    failed: result.errors,
    serverAdded: [],
    clientAdded: [],
    ttfd: [],
    replay: { frames: 0, statements: 0, ms: 0 },
  };
  const rampEnd = Math.min(...result.records.map((r) => r.sentAt)) + RAMP_SECONDS * 1000;
  for (const record of result.records) {
    if (record.sentAt < rampEnd) continue;
    const served = byMarker.get(record.marker);
    const inServer = serverTimings.get(record.marker);
    if (!served || !inServer?.modelOut || !inServer.modelFirstByte || !inServer.firstDeltaOut) continue;
    const total = record.firstDeltaAt - record.sentAt;
    row.ttfd.push(total);
    row.clientAdded.push(total - (served.respondedAt - served.at));
    row.serverAdded.push(inServer.modelOut - inServer.requestIn + (inServer.firstDeltaOut - inServer.modelFirstByte));
  }
  return row;
}

function report(rows: Row[]) {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const pair = (values: number[]) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`;
  const floor = rows.find((r) => r.target === 'floor');
  console.log(
    `\nStream bench: ${STREAMS} concurrent streams per run, ${SECONDS} s counted per run; the model: ${TTFT_MS} ms to first token, then ${WORDS} words, 3 per chunk, ${CHUNK_MS} ms apart`,
  );
  console.log(`${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}\n`);
  console.log(
    '| run | streams/s | failed | server adds p50 / p99 | our code adds p50 / p99 | at the client: time to first delta p50 / p99 | at the client: added p50 / p99 |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const ours =
      row.target === 'floor' || !floor
        ? '(the floor)'
        : `${ms(percentile(row.serverAdded, 50) - percentile(floor.serverAdded, 50))} / ${ms(percentile(row.serverAdded, 99) - percentile(floor.serverAdded, 99))}`;
    console.log(
      `| ${row.target} | ${row.streamsPerSecond.toFixed(0)} | ${row.failed} | ${pair(row.serverAdded)} | ${ours} | ${pair(row.ttfd)} | ${pair(row.clientAdded)} |`,
    );
  }
  console.log(
    `\nFrames kept for resumption (STREAM_REPLAY_FLUSH_MS=${values['flush-ms']}), whole runs, warm-up excluded:`,
  );
  console.log('| run | frames | statements | frames per statement | database ms per statement | per frame |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const { target, replay } of rows) {
    if (target === 'floor' || replay.statements === 0) continue;
    console.log(
      `| ${target} | ${replay.frames} | ${replay.statements} | ${(replay.frames / replay.statements).toFixed(1)} | ${(replay.ms / replay.statements).toFixed(2)} | ${(replay.ms / replay.frames).toFixed(3)} ms |`,
    );
  }
  console.log(
    '\nserver adds: in the server process, request in → model request out + model first byte in → first delta out;',
  );
  console.log(
    'our code adds: that beyond the floor (target: p99 < 10 ms); at the client: everything, loopback and threads included',
  );
}

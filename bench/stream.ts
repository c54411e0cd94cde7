/**
 * `pnpm bench:stream [--streams 200] [--seconds 10] [--ttft 500]`: N students
 * at once, each streaming one answer after another, against the API on
 * embedded PostgreSQL with the OpenAI-wire model server (fixed time to first
 * token, then the answer in chunks) on a thread of its own, and the students
 * on another. Two runs: the study-assistant chat and a session's text
 * channel. For every stream, the latency our code adds before the first
 * `delta` is the client's time to first delta minus the model's own time to
 * first byte (matched by a marker in the message). A script, not a test.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, seedDemo } from '@sp/db';
import { modelConfig, modelProvider } from '@sp/models';
import { createApp } from '../apps/api/src/app.js';
import { BackgroundWork } from '../apps/api/src/background-work.js';
import { apiConfig, DEV_JWT_SECRET } from '../apps/api/src/config.js';
import { signDevToken } from '../apps/api/src/dev-token.js';
import { liveKitRooms } from '../apps/api/src/livekit.js';
import type { ModelThreadOptions, ModelTiming } from './model-thread.js';
import type { StreamClientsJob, StreamClientsResult } from './stream-clients.js';
import { benchDatabase, firstMessage, listen, percentile, thread } from './support.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    ttft: { type: 'string', default: '500' },
  },
});
const STREAMS = Number(values.streams);
const SECONDS = Number(values.seconds);
const TTFT_MS = Number(values.ttft);
/** About 60 words, a few per chunk, 10 ms apart: a short answer streamed at a realistic pace. */
const ANSWER =
  'Osmosis is the movement of water across a membrane that lets water through but not what is dissolved in it. '.repeat(
    3,
  );

const database = await benchDatabase('stream');
const stopAll: (() => Promise<unknown>)[] = [database.stop];
try {
  const handle = connect(database.url, { max: 20, applicationName: 'bench' });
  stopAll.unshift(() => handle.close());
  const { tenant, caseStudies } = await seedDemo(handle.db);
  const caseId = caseStudies[0]?.id ?? '';
  await handle.sql`update case_studies set max_attempts = 1000000, duration_limit = 7200 where id = ${caseId}`;

  const modelThread = thread('./model-thread.ts', {
    ttftMs: TTFT_MS,
    chunkDelayMs: 10,
    answer: ANSWER,
  } satisfies ModelThreadOptions);
  stopAll.unshift(() => modelThread.terminate());
  const { baseURL } = await firstMessage<{ baseURL: string }>(modelThread);

  const config = apiConfig({ LOG_LEVEL: 'silent', CHAT_DAILY_QUOTA: 'unlimited' });
  const work = new BackgroundWork();
  const app = createApp({
    db: handle.db,
    config,
    livekit: liveKitRooms(config),
    models: modelProvider(modelConfig({ OPENAI_BASE_URL: baseURL })),
    work,
  });
  const api = await listen(app.fetch);
  stopAll.unshift(api.close);

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

  const rows: string[] = [];
  for (const [target, students] of [
    ['chat', chatStudents],
    ['session', textStudents],
  ] as const) {
    await clients({ target, baseUrl: api.url, students: students.slice(0, 20), seconds: 2 }); // warm-up
    await timings(modelThread);
    const result = await clients({ target, baseUrl: api.url, students, seconds: SECONDS });
    await work.idle();
    rows.push(summarize(target, result, await timings(modelThread)));
  }
  console.log(
    `\nStream bench: ${STREAMS} concurrent streams per run, ${SECONDS} s per run, model time to first token ${TTFT_MS} ms`,
  );
  console.log(`${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}\n`);
  console.log(
    '| endpoint | streams/s | failed | time to first delta p50 / p99 | model first byte p50 | added by us p50 | added by us p99 |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
  console.log(
    '\nadded by us = client time to first delta − model time to first byte, per stream (target: p99 < 10 ms)',
  );
} finally {
  for (const stop of stopAll) await stop().catch(() => {});
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

function summarize(target: string, result: StreamClientsResult, model: ModelTiming[]): string {
  if (result.firstError) console.error(`${target}: ${result.errors} failed streams, first: ${result.firstError}`);
  const byMarker = new Map(model.map((t) => [t.marker, t]));
  const ttfd: number[] = [];
  const modelFirstByte: number[] = [];
  const added: number[] = [];
  for (const record of result.records) {
    const served = byMarker.get(record.marker);
    if (!served) continue;
    const total = record.firstDeltaAt - record.sentAt;
    const modelOwn = served.respondedAt - served.at;
    ttfd.push(total);
    modelFirstByte.push(modelOwn);
    added.push(total - modelOwn);
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return `| ${target} | ${(result.records.length / result.seconds).toFixed(0)} | ${result.errors} | ${ms(percentile(ttfd, 50))} / ${ms(percentile(ttfd, 99))} | ${ms(percentile(modelFirstByte, 50))} | ${ms(percentile(added, 50))} | ${ms(percentile(added, 99))} |`;
}

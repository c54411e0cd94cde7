/**
 * The simulated students of `pnpm bench:stream`, on a worker thread so the
 * load does not share the API's event loop. Each student sends a message,
 * reads the Server-Sent Events answer to its end, and sends the next, until
 * time is up; every stream's send, first-delta and done times come back.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readEventStream } from '@sp/testkit';

export interface StreamClientsJob {
  /** `chat`: POST /v1/mind/chat; `session`: POST /v1/sessions/{id}/messages. */
  target: 'chat' | 'session';
  baseUrl: string;
  /** One student each: their token, and for `session` their text session. */
  students: { token: string; sessionId?: string }[];
  seconds: number;
  /** Students start spread over this many seconds, as a class does, not all in the same millisecond. */
  rampSeconds: number;
}

export interface StreamRecord {
  marker: string;
  /** ms since the epoch, high resolution. */
  sentAt: number;
  firstDeltaAt: number;
  doneAt: number;
}

export interface StreamClientsResult {
  records: StreamRecord[];
  seconds: number;
  errors: number;
  firstError: string | null;
}

const epochNow = () => performance.timeOrigin + performance.now();

async function oneStream(
  job: StreamClientsJob,
  student: StreamClientsJob['students'][number],
  marker: string,
  conversationId?: string,
) {
  const url =
    job.target === 'chat' ? `${job.baseUrl}/v1/mind/chat` : `${job.baseUrl}/v1/sessions/${student.sessionId}/messages`;
  const body =
    job.target === 'chat'
      ? {
          body: `Explain osmosis, please [bench:${marker}]`,
          context: conversationId ? { conversation_id: conversationId } : undefined,
        }
      : { body: `How long has it been going on? [bench:${marker}]` };
  const sentAt = epochNow();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${student.token}`,
      'content-type': 'application/json',
      'x-bench-marker': marker,
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${job.target} answered ${res.status}: ${await res.text()}`);
  let firstDeltaAt = 0;
  let conversation = conversationId;
  for await (const frame of readEventStream(res)) {
    if (frame.event === 'delta' && !firstDeltaAt) firstDeltaAt = epochNow();
    if (frame.event === 'error') throw new Error(`stream error: ${JSON.stringify(frame.data)}`);
    if (frame.event === 'done') conversation = (frame.data as { conversation_id?: string }).conversation_id;
  }
  if (!firstDeltaAt) throw new Error('the stream ended without a delta');
  return { record: { marker, sentAt, firstDeltaAt, doneAt: epochNow() }, conversation };
}

export async function runStreamClients(job: StreamClientsJob): Promise<StreamClientsResult> {
  const records: StreamRecord[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  await Promise.all(
    job.students.map(async (student, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index / job.students.length) * job.rampSeconds * 1000));
      let conversation: string | undefined;
      for (let n = 0; performance.now() < deadline; n++) {
        try {
          const result = await oneStream(job, student, `${job.target}-${index}-${n}`, conversation);
          records.push(result.record);
          conversation = result.conversation;
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  return { records, seconds: (performance.now() - started) / 1000, errors, firstError };
}

if (!isMainThread && parentPort) {
  parentPort.postMessage(await runStreamClients(workerData as StreamClientsJob));
}

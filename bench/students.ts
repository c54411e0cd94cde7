/**
 * The simulated students of `pnpm bench:api`. Run as a worker thread so the
 * load generator does not share the API's event loop; each student loops
 * initialize → get → end and the worker posts the latencies back.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export const CALLS = ['initialize', 'get', 'end'] as const;
export type Call = (typeof CALLS)[number];
export type Timer = (call: Call, send: () => Promise<Response>) => Promise<Response>;

export interface StudentsJob {
  target: 'api' | 'floor';
  baseUrl: string;
  tokens: string[];
  caseId: string;
  seconds: number;
}

export interface StudentsResult {
  cycles: number;
  seconds: number;
  latencies: Record<Call, number[]>;
  errors: number;
  firstError: string | null;
}

/** One student's cycle against the API, with every call timed. */
export async function apiCycle(job: Pick<StudentsJob, 'baseUrl' | 'caseId'>, token: string, time: Timer) {
  const auth = { authorization: `Bearer ${token}` };
  const init = await time('initialize', () =>
    fetch(`${job.baseUrl}/v1/sessions/initialize`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ content_id: job.caseId }),
    }),
  );
  const body = (await init.json()) as { data?: { session: { id: string } } };
  const id = body.data?.session.id;
  if (!id) throw new Error(`initialize answered ${init.status}: ${JSON.stringify(body)}`);
  const get = await time('get', () => fetch(`${job.baseUrl}/v1/sessions/${id}`, { headers: auth }));
  const read = (await get.json().catch(() => null)) as { data?: { id?: string } } | null;
  // End even after a failed read: a session left open would make every later cycle of this student a 409.
  const end = await time('end', () => fetch(`${job.baseUrl}/v1/sessions/${id}/end`, { method: 'POST', headers: auth }));
  await end.arrayBuffer();
  if (get.status !== 200 || read?.data?.id !== id) {
    throw new Error(`get answered ${get.status}: ${JSON.stringify(read)?.slice(0, 200)}`);
  }
  if (end.status !== 200) throw new Error(`end answered ${end.status}`);
}

/** The same three calls against the floor app. */
async function floorCycle(job: Pick<StudentsJob, 'baseUrl'>, _token: string, time: Timer) {
  for (const call of CALLS) {
    await (await time(call, () => fetch(`${job.baseUrl}/floor/${call}`, { method: 'POST' }))).arrayBuffer();
  }
}

export async function runStudents(job: StudentsJob): Promise<StudentsResult> {
  const cycle = job.target === 'api' ? apiCycle : floorCycle;
  const latencies: Record<Call, number[]> = { initialize: [], get: [], end: [] };
  const time: Timer = async (call, send) => {
    const started = performance.now();
    const res = await send();
    const copy = res.clone();
    await copy.arrayBuffer();
    latencies[call].push(performance.now() - started);
    return res;
  };
  let cycles = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  await Promise.all(
    job.tokens.map(async (token) => {
      while (performance.now() < deadline) {
        try {
          await cycle(job, token, time);
          cycles++;
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  return { cycles, seconds: (performance.now() - started) / 1000, latencies, errors, firstError };
}

if (!isMainThread && parentPort) {
  parentPort.postMessage(await runStudents(workerData as StudentsJob));
}

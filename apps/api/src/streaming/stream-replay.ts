/**
 * Resumable answers: every frame of a streamed answer is also stored in
 * PostgreSQL (event_streams, event_stream_frames), so a client whose
 * connection was cut can come back, to this API process or another one, with
 * `Last-Event-ID: <stream id>:<frame number>` and get the frames it missed,
 * each once and in order, then the rest as they are stored.
 *
 * Writing: the first frame is stored before it is sent (so any id a client has
 * seen names a stream the database knows); the others are stored in one
 * statement per STREAM_REPLAY_FLUSH_MS, behind the socket writes, never
 * before them. Reading: the frames after the client's, then a re-read each
 * time this process stores more of the stream, or every flush interval (the
 * writer may be another process). Streams older than
 * STREAM_REPLAY_RETENTION_SECONDS are deleted, by the writers, at most once
 * a minute per process.
 */
import type { Database } from '@sp/db';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Caller } from '../http/app-context.js';

export type StreamEndpoint = 'chat' | 'session_messages';

/** Whose stream it is, and where it may be resumed. */
export interface StreamOwner {
  caller: Caller;
  endpoint: StreamEndpoint;
  /** The case session of a text-channel answer. */
  sessionId?: string;
}

export interface StoredFrame {
  seq: number;
  event: string;
  /** The `data:` JSON text, as sent. */
  data: string;
}

/** `Last-Event-ID` as we write it: the stream's id, a colon, the frame's number (0: before the first frame). */
export const LAST_EVENT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(0|[1-9][0-9]{0,8})$/i;

/** The header of a resuming GET (lower-cased, as Hono reads headers; header names are case-insensitive). */
export const resumeHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(LAST_EVENT_ID, 'must be an `id:` this API sent: <stream id>:<frame number>')
    .meta({
      param: { name: 'last-event-id', in: 'header' },
      description:
        'The `id` of the last frame you received (`<stream id>:<frame number>`); `<stream id>:0` replays the whole answer',
      example: '5f0c2a8e-1d4b-4f7a-9c3e-2b1a0d9e8f7c:12',
    }),
});

export function parseLastEventId(value: string): { streamId: string; seq: number } | null {
  const match = LAST_EVENT_ID.exec(value);
  return match?.[1] && match[2] ? { streamId: match[1].toLowerCase(), seq: Number(match[2]) } : null;
}

/** What the replay table costs, for `pnpm bench:stream`: statements, frames and the time spent waiting on them. */
export const replayStats = { statements: 0, frames: 0, ms: 0 };

const PRUNE_EVERY_MS = 60_000;

/**
 * This API process's side of the streams it writes: resumers waiting on one
 * are woken as soon as more of it is stored (a resumer on another process
 * re-reads every flush interval instead), and old streams are deleted at most
 * once a minute.
 */
export class StreamWakeups {
  readonly #waiters = new Map<string, Set<() => void>>();
  #lastPrune = Number.NEGATIVE_INFINITY;

  wake(streamId: string): void {
    const set = this.#waiters.get(streamId);
    if (!set) return;
    this.#waiters.delete(streamId);
    for (const resolve of set) resolve();
  }

  /** Resolves when this process stores more of the stream, or after `ms`, or at abort. */
  next(streamId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(streamId) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(streamId) === set) this.#waiters.delete(streamId);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      this.#waiters.set(streamId, set);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Whether it is time to delete old streams (and, if so, that it is being done now). */
  pruneDue(): boolean {
    if (performance.now() - this.#lastPrune < PRUNE_EVERY_MS) return false;
    this.#lastPrune = performance.now();
    return true;
  }
}

/**
 * The writer's side: frames are appended as they are emitted and stored in
 * batches, one statement at a time and in order. If storing fails the answer
 * still streams live, but is no longer resumable (a resumer sees it stall).
 */
export class FrameLog {
  #pending: StoredFrame[] = [];
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #broken = false;
  #stored = 0;
  #firstStored: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    readonly streamId: string,
    private readonly owner: StreamOwner,
    private readonly options: { flushMs: number; retentionSeconds: number; wakeups: StreamWakeups; log: Logger },
  ) {}

  append(frame: StoredFrame): void {
    this.#pending.push(frame);
    // The first frame at once: the client may only see it once it is stored.
    if (frame.seq === 1) this.#flush(false);
    else this.#timer ??= setTimeout(() => this.#flush(false), this.options.flushMs);
  }

  /** Settles when the first frame is stored (or failed to be): a client may be sent frames from then on. */
  firstStored(): Promise<void> {
    return this.#firstStored ?? this.#chain;
  }

  /** Stores what is left and marks the stream finished. */
  finish(): Promise<void> {
    this.#flush(true);
    return this.#chain;
  }

  #flush(finished: boolean) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const frames = this.#pending;
    this.#pending = [];
    if (frames.length === 0 && !finished) return;
    this.#chain = this.#chain.then(() => this.#store(frames, finished));
    if (this.#firstStored) return;
    this.#firstStored = this.#chain;
    // Streams past their retention go once a minute per process, after a first frame, never before it.
    if (this.options.wakeups.pruneDue()) this.#chain = this.#chain.then(() => this.#prune());
  }

  async #store(frames: StoredFrame[], finished: boolean) {
    if (this.#broken) return;
    const started = performance.now();
    try {
      const { caller, endpoint, sessionId } = this.owner;
      const lastSeq = frames.at(-1)?.seq ?? this.#stored;
      await this.db.$client`
        with stream as (
          insert into event_streams (id, tenant_id, user_id, endpoint, session_id, last_seq, finished)
          values (${this.streamId}, ${caller.tenantId}, ${caller.userId}, ${endpoint}, ${sessionId ?? null},
            ${lastSeq}, ${finished})
          on conflict (id) do update set last_seq = excluded.last_seq, finished = excluded.finished, updated_at = now()
        )
        insert into event_stream_frames (stream_id, seq, event, data)
        select ${this.streamId}, f.seq, f.event, f.data
        from jsonb_to_recordset(${JSON.stringify(frames)}::jsonb) as f(seq int, event text, data text)
      `;
      this.#stored = lastSeq;
      replayStats.statements += 1;
      replayStats.frames += frames.length;
      replayStats.ms += performance.now() - started;
      this.options.wakeups.wake(this.streamId);
    } catch (err) {
      this.#broken = true;
      this.options.log.warn({ err, stream_id: this.streamId }, 'storing stream frames failed: not resumable');
    }
  }

  async #prune() {
    const seconds = this.options.retentionSeconds;
    await this.db.$client`delete from event_streams where created_at < now() - make_interval(secs => ${seconds})`.catch(
      (err: unknown) => this.options.log.warn({ err }, 'deleting streams past their retention failed'),
    );
  }
}

export interface StreamState {
  tenantId: string;
  userId: string;
  endpoint: StreamEndpoint;
  sessionId: string | null;
  lastSeq: number;
  finished: boolean;
  /** Seconds since frames were last stored. */
  idleSeconds: number;
  /** The stored frames after the one asked for, in order. */
  frames: StoredFrame[];
}

interface StateRow extends Record<string, unknown> {
  tenant_id: string;
  user_id: string;
  endpoint: StreamEndpoint;
  session_id: string | null;
  last_seq: number;
  finished: boolean;
  idle_seconds: number;
  frames: StoredFrame[];
}

/** The stream and its frames after `after`, in one statement (so the two agree); null when there is no such stream. */
export async function readStream(db: Database, streamId: string, after: number): Promise<StreamState | null> {
  const [row] = await db.$client<StateRow[]>`
    select s.tenant_id, s.user_id, s.endpoint, s.session_id, s.last_seq, s.finished,
      extract(epoch from now() - s.updated_at)::float8 as idle_seconds,
      coalesce((select json_agg(json_build_object('seq', f.seq, 'event', f.event, 'data', f.data) order by f.seq)
        from event_stream_frames f where f.stream_id = s.id and f.seq > ${after}), '[]') as frames
    from event_streams s where s.id = ${streamId}
  `;
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    endpoint: row.endpoint,
    sessionId: row.session_id,
    lastSeq: row.last_seq,
    finished: row.finished,
    idleSeconds: row.idle_seconds,
    frames: row.frames,
  };
}

/** The stream is the caller's, from this endpoint (and this session): anything else is not found. */
export function ownedBy(state: StreamState, owner: StreamOwner): boolean {
  return (
    state.tenantId === owner.caller.tenantId &&
    state.userId === owner.caller.userId &&
    state.endpoint === owner.endpoint &&
    (owner.endpoint !== 'session_messages' || state.sessionId === owner.sessionId?.toLowerCase())
  );
}

/**
 * The one writer of `text/event-stream` answers (study-assistant chat and a
 * session's text channel): `id: <stream id>:<n>`, `event: <name>` and
 * `data: <JSON>` frames, in the order they were emitted. The turn that
 * produces them is not tied to the connection: when the client leaves, frames
 * are dropped but the turn runs to its end and stores its reply, tracked as
 * background work. Every frame is also stored for a while (stream-replay.ts),
 * so a client can resume with `Last-Event-ID` (`resumeEventStream`).
 */
import { randomUUID } from 'node:crypto';
import { DomainError, notFound, type StreamEvent } from '@sp/core';
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import type { Services } from '../http/deps.js';
import {
  FrameLog,
  ownedBy,
  parseLastEventId,
  readStream,
  type StoredFrame,
  type StreamOwner,
} from './stream-replay.js';

export type Emit<E extends StreamEvent> = (event: E) => void;

/** Frames closer together than this share a write (a reader sees text arrive at most this much later). */
const WRITE_INTERVAL_MS = 20;

/** A turn that has passed its checks and now only streams: it reports failures as events, never throws. */
export type StreamedTurn<E extends StreamEvent> = (emit: Emit<E>) => Promise<void>;

type StreamServices = Pick<Services, 'db' | 'config' | 'work' | 'streams'>;

/** One frame as written; `data` is JSON, which escapes newlines, so it is always one line. */
const frameText = (id: string, event: string, data: string) => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

export function eventStream<E extends StreamEvent>(
  c: Context,
  services: StreamServices,
  owner: StreamOwner,
  log: Logger,
  turn: StreamedTurn<E>,
): Response {
  const { db, config, work, streams } = services;
  c.header('X-Accel-Buffering', 'no'); // proxies such as nginx would otherwise hold frames back
  return streamSSE(c, async (stream) => {
    const streamId = randomUUID();
    const replay = new FrameLog(db, streamId, owner, {
      flushMs: config.STREAM_REPLAY_FLUSH_MS,
      retentionSeconds: config.STREAM_REPLAY_RETENTION_SECONDS,
      wakeups: streams,
      log,
    });
    // Frames queue behind each other rather than behind the turn: a slow reader never slows the model.
    // Every write is a system call, so a frame goes out at once when nothing was written for
    // WRITE_INTERVAL_MS (the first delta never waits), and frames closer together than that
    // leave in one write. The first write waits for the first frame to be stored.
    let pending = '';
    let written: Promise<unknown> | null = null;
    let lastWrite = Number.NEGATIVE_INFINITY;
    let scheduled = false;
    let seq = 0;
    const flush = () => {
      scheduled = false;
      if (!pending) return;
      const text = pending;
      pending = '';
      lastWrite = performance.now();
      written = (written ?? replay.firstStored()).then(() => (stream.aborted ? undefined : stream.write(text)));
    };
    const emit: Emit<E> = ({ event, data }) => {
      seq += 1;
      const json = JSON.stringify(data);
      replay.append({ seq, event, data: json });
      pending += frameText(`${streamId}:${seq}`, event, json);
      if (scheduled) return;
      scheduled = true;
      const wait = lastWrite + WRITE_INTERVAL_MS - performance.now();
      if (wait > 0) setTimeout(flush, wait);
      else setImmediate(flush);
    };
    await work.track(turn(emit)).catch((err) => {
      log.error({ err }, 'streamed turn failed');
      emit({ event: 'error', data: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } } as E);
    });
    flush();
    await work.track(replay.finish());
    await written;
  });
}

/**
 * A client back after a cut connection: the frames of its stream after
 * `Last-Event-ID`, each once and in order, then the rest as they come, until
 * the answer's last frame. Another user's stream, another endpoint's or
 * session's, or one deleted after the retention answers 404; a frame number
 * past the end of a finished stream answers 422.
 */
export async function resumeEventStream(
  c: Context,
  services: StreamServices,
  owner: StreamOwner,
  lastEventId: string,
  log: Logger,
): Promise<Response> {
  const { db, config, streams } = services;
  const asked = parseLastEventId(lastEventId);
  if (!asked) throw badLastEventId();
  const first = await readStream(db, asked.streamId, asked.seq);
  if (!first || !ownedBy(first, owner)) throw notFound('Stream');
  if (first.finished && asked.seq > first.lastSeq) {
    throw new DomainError('VALIDATION_ERROR', 'Last-Event-ID is past the end of this answer', {
      last_event_id: `${asked.streamId}:${first.lastSeq}`,
    });
  }
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    const abort = new AbortController();
    stream.onAbort(() => abort.abort());
    let sent = asked.seq;
    let state = first;
    for (;;) {
      sent = await writeFrames(stream, asked.streamId, sent, state.frames);
      if (state.finished && sent >= state.lastSeq) return;
      if (state.idleSeconds > config.STREAM_STALL_SECONDS) {
        log.warn({ stream_id: asked.streamId, last_seq: sent }, 'resumed stream stalled: its writer is gone');
        // Its id is the last frame sent: resuming from it finds nothing new, as there is nothing new.
        const data = { code: 'INTERNAL_ERROR', message: 'This answer was cut off on our side; please ask again.' };
        await stream.write(frameText(`${asked.streamId}:${sent}`, 'error', JSON.stringify(data)));
        return;
      }
      await streams.next(asked.streamId, config.STREAM_REPLAY_FLUSH_MS, abort.signal);
      if (abort.signal.aborted) return;
      const next = await readStream(db, asked.streamId, sent);
      if (!next) return; // deleted while being read: nothing more will come
      state = next;
    }
  });
}

/** Writes the frames that follow `sent` without a gap; returns the last one written. */
async function writeFrames(stream: SSEStreamingApi, streamId: string, sent: number, frames: StoredFrame[]) {
  let text = '';
  let last = sent;
  for (const frame of frames) {
    if (frame.seq !== last + 1) break;
    text += frameText(`${streamId}:${frame.seq}`, frame.event, frame.data);
    last = frame.seq;
  }
  if (text) await stream.write(text);
  return last;
}

export const badLastEventId = () =>
  new DomainError('VALIDATION_ERROR', 'Last-Event-ID must be an event id this API sent: <stream id>:<frame number>', {
    header: 'Last-Event-ID',
  });

/**
 * The one writer of `text/event-stream` answers (study-assistant chat and a
 * session's text channel): `event: <name>` and `data: <JSON>` frames, in the
 * order they were emitted. The turn that produces them is not tied to the
 * connection: when the client leaves, frames are dropped but the turn runs to
 * its end and stores its reply, tracked as background work.
 */
import type { StreamEvent } from '@sp/core';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import type { BackgroundWork } from '../http/background-work.js';

export type Emit<E extends StreamEvent> = (event: E) => void;

/** Frames closer together than this share a write (a reader sees text arrive at most this much later). */
const WRITE_INTERVAL_MS = 20;

/** A turn that has passed its checks and now only streams: it reports failures as events, never throws. */
export type StreamedTurn<E extends StreamEvent> = (emit: Emit<E>) => Promise<void>;

export function eventStream<E extends StreamEvent>(
  c: Context,
  work: BackgroundWork,
  log: Logger,
  turn: StreamedTurn<E>,
): Response {
  c.header('X-Accel-Buffering', 'no'); // proxies such as nginx would otherwise hold frames back
  return streamSSE(c, async (stream) => {
    // Frames queue behind each other rather than behind the turn: a slow reader never slows the model.
    // Every write is a system call, so a frame goes out at once when nothing was written for
    // WRITE_INTERVAL_MS (the first delta never waits), and frames closer together than that
    // leave in one write.
    let pending = '';
    let written: Promise<unknown> = Promise.resolve();
    let lastWrite = Number.NEGATIVE_INFINITY;
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (!pending) return;
      const text = pending;
      pending = '';
      lastWrite = performance.now();
      written = written.then(() => (stream.aborted ? undefined : stream.write(text)));
    };
    const emit: Emit<E> = ({ event, data }) => {
      // JSON.stringify escapes newlines, so `data` is always one line.
      pending += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
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
    await written;
  });
}

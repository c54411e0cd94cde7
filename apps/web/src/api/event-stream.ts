/**
 * POST a JSON body and read the answer's Server-Sent Events (the text channel
 * and the study assistant). EventSource cannot POST or send a bearer token, so
 * the body of a fetch is parsed with eventsource-parser. If the connection is
 * cut before the answer's last frame, the stream is resumed the way the API
 * offers (docs/streaming.md): a GET to the same path with the last frame's id
 * as `Last-Event-ID`, which sends the missed frames once each, then the rest.
 */
import { createParser } from 'eventsource-parser';
import { failureOf, send } from './client';

export interface StreamFrame {
  event: string;
  data: unknown;
}

/** Tries to resume a cut stream, waiting a little longer before each. */
const RESUME_DELAYS_MS = [250, 1000, 3000];

export async function postEventStream(
  path: string,
  json: unknown,
  onFrame: (frame: StreamFrame) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(json),
    signal,
  });
  if (!res.ok || !res.body) throw await failureOf(res);
  let lastId: string | null = null;
  // `done` ends every answer; an `error` not followed by more frames ends one the server could not finish.
  let last = '';
  const parser = createParser({
    onEvent: (message) => {
      if (message.id) lastId = message.id;
      last = message.event ?? 'message';
      onFrame({ event: last, data: JSON.parse(message.data) });
    },
  });
  let body: ReadableStream = res.body;
  for (let attempt = 0; ; attempt++) {
    const cut = await read(body, (text) => parser.feed(text)).catch((error: unknown) => error);
    if (last === 'done' || (cut === undefined && last === 'error')) return;
    const delay = RESUME_DELAYS_MS[attempt];
    if (signal?.aborted || lastId === null || delay === undefined) {
      throw cut ?? new Error('The answer stopped before its end');
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    parser.reset();
    const again = await send(path, {
      headers: { accept: 'text/event-stream', 'last-event-id': lastId },
      signal,
    }).catch(() => null);
    if (again === null) continue; // still unreachable: try again after a longer wait
    if (!again.ok || !again.body) throw await failureOf(again);
    body = again.body;
  }
}

/** Reads a body to its end, or throws where the connection was cut. */
async function read(body: ReadableStream, onText: (text: string) => void) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onText(value);
  }
}

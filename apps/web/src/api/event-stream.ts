/**
 * POST a JSON body and read the answer's Server-Sent Events (the text channel
 * and the study assistant). EventSource cannot POST or send a bearer token, so
 * the body of a fetch is parsed with eventsource-parser.
 */
import { createParser } from 'eventsource-parser';
import { failureOf, send } from './client';

export interface StreamFrame {
  event: string;
  data: unknown;
}

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
  const parser = createParser({
    onEvent: (message) => onFrame({ event: message.event ?? 'message', data: JSON.parse(message.data) }),
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}

/**
 * The fixes we carry to @livekit/agents (patches/, applied by pnpm at install) until upstream has
 * them. Each test fails on the unpatched package.
 *
 * readStream(stream, signal), which the framework uses to feed every audio frame a call receives
 * to the speech-to-text, raced each read against one abort promise that lives as long as the call:
 * every race left a reaction on that promise holding the value read, so a call kept all of its
 * input audio (bench:voice: the heap grew ~0.8 MB a turn, ~170 KB/s even in silence).
 */
import { ReadableStream } from 'node:stream/web';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readStream } from '@livekit/agents';
import { expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

it("lets go of each value readStream has handed on while the reader's signal is still live", async () => {
  const COUNT = 200;
  const collected = { count: 0 };
  const registry = new FinalizationRegistry(() => {
    collected.count++;
  });
  let controller!: ReadableStreamDefaultController<{ samples: Int16Array }>;
  const stream = new ReadableStream<{ samples: Int16Array }>({
    start: (c) => {
      controller = c;
    },
  });
  const abort = new AbortController();
  const reading = (async () => {
    let read = 0;
    for await (const frame of readStream(stream, abort.signal)) {
      if (frame.samples.length > 0) read++;
    }
    return read;
  })();
  for (let i = 0; i < COUNT; i++) {
    const frame = { samples: new Int16Array(240) };
    registry.register(frame, i);
    controller.enqueue(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }

  // The loop is still reading (waiting for the next frame), as it is all through a call.
  for (let i = 0; i < 10 && collected.count < COUNT * 0.9; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(collected.count).toBeGreaterThan(COUNT * 0.9);

  abort.abort();
  controller.close();
  expect(await reading).toBe(COUNT);
});

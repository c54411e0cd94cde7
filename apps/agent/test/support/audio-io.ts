/**
 * The two ends of a call without a room: a microphone that plays the scripted
 * student into the agent session in real time, and a loudspeaker that plays
 * the patient out in real time and records what was heard and when.
 *
 * Times are `performance.now()` milliseconds, the same clock on both ends.
 */
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { type Clip, MIC_SAMPLE_RATE } from './speech.js';

/** When a clip went into the session. */
export interface Played {
  clip: Clip;
  /** Its first sample was pushed. */
  startedAt: number;
  /** Its first and last sample above the noise floor were pushed. */
  soundStartAt: number;
  soundEndAt: number;
  /** Its last sample was pushed. */
  endedAt: number;
}

const FRAME_MS = 10;

/**
 * A live microphone: 10 ms frames at 24 kHz, paced by the wall clock, silence
 * between the clips it is told to play (a room delivers audio continuously).
 */
export class ScriptedMicrophone extends voice.AudioInput {
  /** Every clip that started playing, in order. */
  readonly played: Played[] = [];
  private controller!: ReadableStreamDefaultController<AudioFrame>;
  private readonly samplesPerFrame = (MIC_SAMPLE_RATE * FRAME_MS) / 1000;
  private queue: { clip: Clip; offset: number; played?: Played; done: (p: Played) => void }[] = [];
  private startedAt = 0;
  private framesSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor() {
    super();
    const frames = new ReadableStream<AudioFrame>({
      start: (controller) => {
        this.controller = controller;
      },
    });
    this.multiStream.addInputStream(frames);
  }

  /** Starts the clock: silence flows until a clip is played. */
  start(): this {
    if (this.timer || this.closed) return this;
    this.startedAt = performance.now();
    this.tick();
    return this;
  }

  /** Plays `clip` after what is queued; resolves once its last sample went in. */
  play(clip: Clip): Promise<Played> {
    return new Promise((done) => this.queue.push({ clip, offset: 0, done }));
  }

  /** Plays the clips one after another with `gapMs` of silence between them. */
  async playAll(clips: Clip[], gapMs: number): Promise<Played[]> {
    const out: Played[] = [];
    for (const [i, clip] of clips.entries()) {
      if (i > 0) await sleepMs(gapMs);
      out.push(await this.play(clip));
    }
    return out;
  }

  override async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    try {
      this.controller.close();
    } catch {
      // already closed
    }
    await super.close();
  }

  private tick = () => {
    if (this.closed) return;
    const due = Math.floor((performance.now() - this.startedAt) / FRAME_MS);
    // Catch up after a late timer: the microphone never loses time.
    while (this.framesSent < due && !this.closed) this.sendFrame();
    this.timer = setTimeout(this.tick, 2 * FRAME_MS);
  };

  private sendFrame() {
    const data = new Int16Array(this.samplesPerFrame);
    let filled = 0;
    // The frame's own place on the audio timeline, not the moment it was sent: after a late timer the
    // microphone catches up in a burst, and stamping clips with the send time would make the listener
    // seem to react faster than the audio could have reached it.
    const frameAt = this.startedAt + this.framesSent * FRAME_MS;
    while (filled < data.length && this.queue.length > 0) {
      const current = this.queue[0];
      if (!current) break;
      const { clip } = current;
      if (!current.played) {
        const startedAt = frameAt + (filled / MIC_SAMPLE_RATE) * 1000;
        current.played = {
          clip,
          startedAt,
          soundStartAt: startedAt + clip.soundStartMs,
          soundEndAt: startedAt + clip.soundEndMs,
          endedAt: startedAt + clip.durationMs,
        };
        this.played.push(current.played);
      }
      const take = Math.min(data.length - filled, clip.samples.length - current.offset);
      data.set(clip.samples.subarray(current.offset, current.offset + take), filled);
      filled += take;
      current.offset += take;
      if (current.offset >= clip.samples.length) {
        this.queue.shift();
        current.done(current.played);
      }
    }
    this.framesSent++;
    try {
      this.controller.enqueue(new AudioFrame(data, MIC_SAMPLE_RATE, 1, this.samplesPerFrame));
    } catch {
      this.closed = true;
    }
  }
}

/** One stretch of the patient's audio as the student heard it. */
export interface HeardSegment {
  /** Its first sample started playing. */
  startedAt: number;
  /** Playing stopped: at its end, or where it was cut off. */
  endedAt: number;
  /** Audio the session handed over for it. */
  capturedMs: number;
  /** Audio actually played. */
  playedMs: number;
  interrupted: boolean;
  /** When the session cut it off (clearBuffer), if it did. */
  clearedAt?: number;
}

interface PlayingSegment {
  startedAt: number;
  capturedMs: number;
  flushed: boolean;
  started: boolean;
  startTimer?: NodeJS.Timeout;
  endTimer?: NodeJS.Timeout;
}

/**
 * A loudspeaker that plays in real time: a segment starts when the previous one
 * has played out, lasts as long as its audio, and stops at once on
 * `clearBuffer` (the framework's interruption), reporting how much was heard.
 */
export class RecordingSpeaker extends voice.AudioOutput {
  readonly heard: HeardSegment[] = [];
  private capturing: PlayingSegment | undefined;
  private readonly playing: PlayingSegment[] = [];
  private waiters: ((segment: HeardSegment) => void)[] = [];

  constructor() {
    super(MIC_SAMPLE_RATE, undefined, { pause: false });
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    if (!this.capturing) {
      const now = performance.now();
      const tail = this.playing.at(-1);
      const startedAt = tail ? Math.max(now, tail.startedAt + tail.capturedMs) : now;
      const segment: PlayingSegment = { startedAt, capturedMs: 0, flushed: false, started: false };
      this.capturing = segment;
      this.playing.push(segment);
      segment.startTimer = setTimeout(() => this.begin(segment), Math.max(0, startedAt - now));
    }
    this.capturing.capturedMs += (frame.samplesPerChannel / frame.sampleRate) * 1000;
  }

  override flush(): void {
    super.flush();
    const segment = this.capturing;
    this.capturing = undefined;
    if (!segment) return;
    segment.flushed = true;
    const end = segment.startedAt + segment.capturedMs;
    segment.endTimer = setTimeout(() => this.finish(segment, false), Math.max(0, end - performance.now()));
  }

  clearBuffer(): void {
    const clearedAt = performance.now();
    this.capturing = undefined;
    for (const segment of [...this.playing]) this.finish(segment, true, clearedAt);
  }

  /** The next segment heard in full or cut off. */
  nextSegment(): Promise<HeardSegment> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when the next segment starts playing, with its start time. */
  nextStart(): Promise<number> {
    return new Promise((resolve) =>
      this.once(voice.AudioOutput.EVENT_PLAYBACK_STARTED, () => resolve(performance.now())),
    );
  }

  /** Whether audio is playing now. */
  get isPlaying(): boolean {
    const now = performance.now();
    return this.playing.some((s) => s.started && now < s.startedAt + s.capturedMs);
  }

  private begin(segment: PlayingSegment) {
    if (segment.started || !this.playing.includes(segment)) return;
    segment.started = true;
    this.onPlaybackStarted(Date.now());
  }

  private finish(segment: PlayingSegment, interrupted: boolean, clearedAt?: number) {
    const index = this.playing.indexOf(segment);
    if (index < 0) return;
    this.playing.splice(index, 1);
    clearTimeout(segment.startTimer);
    clearTimeout(segment.endTimer);
    // Played out to its end, it played all of it (a timer may fire a fraction of a ms early).
    const playedMs =
      clearedAt === undefined
        ? segment.capturedMs
        : Math.max(0, Math.min(segment.capturedMs, clearedAt - segment.startedAt));
    if (!segment.started && playedMs > 0) this.begin(segment);
    const heard: HeardSegment = {
      startedAt: segment.startedAt,
      endedAt: segment.startedAt + playedMs,
      capturedMs: segment.capturedMs,
      playedMs,
      interrupted: interrupted && playedMs < segment.capturedMs,
      ...(clearedAt === undefined ? {} : { clearedAt }),
    };
    this.heard.push(heard);
    this.onPlaybackFinished({ playbackPosition: playedMs / 1000, interrupted: heard.interrupted });
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(heard);
  }
}

export const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scripted student's voice: each line spoken once by espeak-ng, resampled
 * by sox to the 24 kHz mono 16-bit the agents framework takes from a room, and
 * cached as a WAV file under `.cache/speech/` (git-ignored) by a hash of what
 * made it. Also the non-speech sounds the VAD must ignore, made by sox.
 * `.ci/run` installs espeak-ng and sox on a machine that lacks them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '@sp/testkit';

/** What the framework's room input delivers: 24 kHz mono. */
export const MIC_SAMPLE_RATE = 24_000;

const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../.cache/speech');

/** A sound the student makes, with where in it the sound is above the noise floor. */
export interface Clip {
  name: string;
  /** What a transcriber should hear; empty for a non-speech sound. */
  text: string;
  samples: Int16Array;
  durationMs: number;
  /** First and last sample above the floor, in ms from the clip's start. */
  soundStartMs: number;
  soundEndMs: number;
}

function soundBounds(samples: Int16Array, floor = 300): [number, number] {
  let first = samples.findIndex((s) => Math.abs(s) > floor);
  let last = -1;
  for (let i = samples.length - 1; i >= 0; i--) {
    if (Math.abs(samples[i] ?? 0) > floor) {
      last = i;
      break;
    }
  }
  if (first < 0) first = 0;
  if (last < 0) last = 0;
  return [(first / MIC_SAMPLE_RATE) * 1000, (last / MIC_SAMPLE_RATE) * 1000];
}

function clipOf(name: string, text: string, file: string): Clip {
  const wav = decodeWav(readFileSync(file));
  if (!wav || wav.sampleRate !== MIC_SAMPLE_RATE || wav.channels !== 1) {
    throw new Error(`${file}: not 24 kHz mono 16-bit WAV`);
  }
  const [soundStartMs, soundEndMs] = soundBounds(wav.samples);
  return { name, text, samples: wav.samples, durationMs: wav.durationMs, soundStartMs, soundEndMs };
}

/** Makes `file` once: `make(tmp)` writes it to a temporary path, then it is moved in place (parallel runs race safely). */
function cached(key: string, make: (path: string) => void): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.wav`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp.wav`;
    make(tmp);
    renameSync(tmp, file);
  }
  return file;
}

function run(command: string, args: string[]) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed (apt-get install -y espeak-ng sox; .ci/run does this)`
        : `${command} ${args.join(' ')} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`,
    );
  }
}

/** `text` in espeak-ng's American English voice at `wordsPerMinute`, as a clip at the framework's rate. */
export function spoken(text: string, { wordsPerMinute = 175, voice = 'en-us' } = {}): Clip {
  const file = cached(`espeak-ng|${voice}|${wordsPerMinute}|${MIC_SAMPLE_RATE}|${text}`, (out) => {
    const raw = `${out}.raw.wav`;
    run('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, text]);
    run('sox', [raw, '-r', String(MIC_SAMPLE_RATE), '-c', '1', '-b', '16', out]);
    run('rm', ['-f', raw]);
  });
  return clipOf(`"${text}"`, text, file);
}

/**
 * A cough-like burst: `ms` of brown noise at `volume` (0..1 of full scale)
 * with a fast attack and decay. Not speech: the VAD must not start a turn on it.
 */
export function noiseBurst(ms = 400, volume = 0.3): Clip {
  const seconds = (ms / 1000).toFixed(3);
  const file = cached(`sox|brownnoise|${seconds}|${volume}|${MIC_SAMPLE_RATE}`, (out) => {
    run('sox', [
      '-n',
      '-r',
      String(MIC_SAMPLE_RATE),
      '-c',
      '1',
      '-b',
      '16',
      out,
      'synth',
      seconds,
      'brownnoise',
      'fade',
      'q',
      '0.02',
      seconds,
      '0.15',
      'vol',
      String(volume),
    ]);
  });
  return clipOf(`noise ${ms} ms`, '', file);
}

/** `clip` from its first to its last sample above the noise floor: no silence before or after. */
export function soundOnly(clip: Clip): Clip {
  const at = (ms: number) => Math.round((ms / 1000) * MIC_SAMPLE_RATE);
  const samples = clip.samples.slice(at(clip.soundStartMs), at(clip.soundEndMs) + 1);
  const durationMs = (samples.length / MIC_SAMPLE_RATE) * 1000;
  return { ...clip, samples, durationMs, soundStartMs: 0, soundEndMs: durationMs };
}

/** `ms` of digital silence. */
export function silence(ms: number): Clip {
  const samples = new Int16Array(Math.round((ms / 1000) * MIC_SAMPLE_RATE));
  return { name: `silence ${ms} ms`, text: '', samples, durationMs: ms, soundStartMs: 0, soundEndMs: 0 };
}

/**
 * Every committed user and assistant message becomes a transcript row, in
 * order. Writes go through a queue with retries, so a database blip delays a
 * turn but never drops it, and `flush` lets the job wait for the last turns
 * before it exits.
 */
import { llm, voice } from '@livekit/agents';
import { appendTurn, type Database, type SessionMessage, type Turn, UnknownSessionError } from '@sp/db';
import type { Logger } from 'pino';
import { Backoff } from './backoff.js';

export interface RecorderOptions {
  /** First retry delay after a failed write; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Told about each stored turn: ms from commit to stored row, and ms of the write itself (bench). */
  onStored?: (row: SessionMessage, timing: { latencyMs: number; writeMs: number }) => void;
}

interface PendingTurn {
  turn: Turn;
  committedAt: number;
}

/** The framework's per-turn figures (seconds) as the row's latency metrics (ms). */
export function turnMetrics(report: llm.MetricsReport): Record<string, number> | undefined {
  const fields: [string, number | undefined][] = [
    ['transcription_delay_ms', report.transcriptionDelay],
    ['end_of_utterance_delay_ms', report.endOfTurnDelay],
    ['on_user_turn_completed_delay_ms', report.onUserTurnCompletedDelay],
    ['llm_ttft_ms', report.llmNodeTtft],
    ['tts_ttfb_ms', report.ttsNodeTtfb],
    ['e2e_latency_ms', report.e2eLatency],
  ];
  const metrics: Record<string, number> = {};
  for (const [name, seconds] of fields) {
    if (typeof seconds === 'number' && Number.isFinite(seconds)) metrics[name] = Math.round(seconds * 10_000) / 10;
  }
  return Object.keys(metrics).length > 0 ? metrics : undefined;
}

export class TranscriptRecorder {
  private readonly queue: PendingTurn[] = [];
  private draining: Promise<void> | null = null;
  private stopped = false;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(
    private readonly db: Database,
    private readonly sessionId: string,
    private readonly logger: Logger,
    private readonly options: RecorderOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 2_000;
  }

  /** Records each user and assistant message the session commits from now on. */
  attach(session: voice.AgentSession): void {
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (!(item instanceof llm.ChatMessage) || (item.role !== 'user' && item.role !== 'assistant')) return;
      const content = item.textContent?.trim();
      if (!content) return;
      this.record({
        role: item.role,
        content,
        channel: 'voice',
        interrupted: item.interrupted,
        metrics: turnMetrics(item.metrics),
        // When the framework created the message (an interrupted reply is committed well after it began).
        timestamp: new Date(item.createdAt),
      });
    });
  }

  record(turn: Turn): void {
    if (this.stopped) {
      // Nothing will store it now: the turn goes to the log in full rather than nowhere.
      this.logger.error({ session_id: this.sessionId, turn }, 'turn committed after the recorder stopped; not stored');
      return;
    }
    this.queue.push({ turn, committedAt: performance.now() });
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Turns not yet stored. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Waits until every recorded turn is stored, or `timeoutMs` passes. Returns
   * how many are still unstored; those are logged in full so none is lost silently.
   */
  async flush(timeoutMs = 10_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    while (this.draining) {
      const outcome = await Promise.race([this.draining.then(() => 'drained' as const), timeout.then(() => 'late')]);
      if (outcome === 'late') break;
    }
    clearTimeout(timer);
    if (this.queue.length > 0) {
      this.logger.error(
        { session_id: this.sessionId, unsaved_turns: this.queue.map((p) => p.turn) },
        'transcript turns could not be stored before the job ended',
      );
    }
    return this.queue.length;
  }

  /** Stops writing (after a final flush, or when the job is abandoned); a later turn is logged in full at error level. */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    const backoff = new Backoff(this.retryMs, this.maxRetryMs);
    for (let next = this.queue[0]; next && !this.stopped; next = this.queue[0]) {
      try {
        const writeStarted = performance.now();
        const row = await appendTurn(this.db, this.sessionId, next.turn);
        this.queue.shift();
        backoff.reset();
        const latencyMs = performance.now() - next.committedAt;
        this.options.onStored?.(row, { latencyMs, writeMs: performance.now() - writeStarted });
        this.logger.info(
          {
            session_id: this.sessionId,
            sequence: row.sequence,
            role: row.role,
            interrupted: row.interrupted,
            metrics: row.metrics ?? undefined,
            persist_ms: Math.round(latencyMs * 10) / 10,
          },
          'turn stored',
        );
      } catch (error) {
        if (error instanceof UnknownSessionError) {
          this.logger.error(
            { session_id: this.sessionId, turn: this.queue.shift()?.turn },
            'session is gone; turn dropped',
          );
          continue;
        }
        const delay = backoff.next();
        this.logger.warn(
          { session_id: this.sessionId, err: error, pending: this.queue.length, retry_in_ms: delay },
          'storing a turn failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/**
 * Grading settings, read once at start: the model endpoint (shared with chat)
 * plus how the consumer runs and retries. Tests and the bench shorten the delays.
 */
import { modelConfigSchema } from '@sp/models';
import { z } from 'zod';

export const gradingConfigSchema = modelConfigSchema.extend({
  /** Run the consumer inside the API process; set false when `pnpm --filter @sp/api jobs` runs it instead. */
  GRADING_IN_API: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe(
      'run the grading consumer inside the API process; `false` when `pnpm --filter @sp/api jobs` processes do it',
    ),
  /** Jobs one consumer grades at the same time. */
  GRADING_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(8)
    .describe('reports one consumer grades at the same time'),
  /** Model calls per job before the report is `failed` (provider errors and rejected answers both count). */
  GRADING_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(4)
    .describe('model calls per report before it is `failed` (provider errors and rejected answers both count)'),
  /** First retry delay after a provider error; doubles per attempt, with jitter. */
  GRADING_RETRY_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(2_000)
    .describe('backoff after a provider error, in milliseconds: doubles per attempt, with jitter'),
  GRADING_RETRY_MAX_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(30_000)
    .describe("the backoff's cap in milliseconds (a `retry-after` is honoured up to a minute)"),
  /** How often an idle consumer looks for new jobs (pg-boss allows 0.5 s at least). */
  GRADING_POLL_SECONDS: z.coerce
    .number()
    .min(0.5)
    .max(60)
    .default(2)
    .describe(
      'how often an idle consumer looks for jobs, in seconds (at least 0.5); a busy one takes the next job at once',
    ),
  /**
   * A running report's lease. Its consumer renews it every third of this; one
   * not renewed this long (its consumer died) is graded again: every consumer
   * looks for such reports every half lease and enqueues a job that takes it
   * over. A regrade also respects it.
   */
  GRADING_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(60)
    .describe(
      "a grading job's lease on its report, in seconds: renewed every third of it while grading; a dead consumer's report is taken over by another consumer once it runs out (within about one and a half leases)",
    ),
  /** The longest one grading job may run; past it the report is handed back to the queue for a retry. */
  GRADING_TIME_LIMIT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(36_000)
    .default(900)
    .describe(
      'the longest one grading job may run, in seconds; past it the report is handed back for a retry (the queue expires a job a lease and a minute after this)',
    ),
});
export type GradingConfig = z.infer<typeof gradingConfigSchema>;

/** A config from explicit values (tests, bench), with the same rules as the environment. */
export function gradingConfig(values: Record<string, string | undefined> = {}): GradingConfig {
  return gradingConfigSchema.parse(values);
}

/**
 * How long pg-boss lets a job stay active before it hands it to another
 * consumer: a live job gives up at its time limit, so a job still active a
 * lease and a minute after that belongs to a consumer that died. (Its report
 * was taken over long before, by the lease sweep: the redelivered job then
 * finds it done.)
 */
export const queueExpirySeconds = (
  config: Pick<GradingConfig, 'GRADING_LEASE_SECONDS' | 'GRADING_TIME_LIMIT_SECONDS'>,
) => config.GRADING_TIME_LIMIT_SECONDS + config.GRADING_LEASE_SECONDS + 60;

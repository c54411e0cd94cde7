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
    .transform((v) => v === 'true'),
  /** Jobs one consumer grades at the same time. */
  GRADING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Model calls per job before the report is `failed` (provider errors and rejected answers both count). */
  GRADING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  /** First retry delay after a provider error; doubles per attempt, with jitter. */
  GRADING_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  GRADING_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** How often an idle consumer looks for new jobs (pg-boss allows 0.5 s at least). */
  GRADING_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  /** A report left `running` this long (its consumer died) may be taken over by the job's retry. */
  GRADING_LEASE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
});
export type GradingConfig = z.infer<typeof gradingConfigSchema>;

/** A config from explicit values (tests, bench), with the same rules as the environment. */
export function gradingConfig(values: Record<string, string | undefined> = {}): GradingConfig {
  return gradingConfigSchema.parse(values);
}

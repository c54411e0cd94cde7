/**
 * The settings more than one process reads, each defined once: every app's schema is built from
 * these fragments plus its own settings. The production guard that refuses the public
 * `livekit-server --dev` credentials lives here too, so the API and the worker refuse alike.
 */
import { z } from 'zod';

/** A blank value (`FOO=` in `.env`, or an empty compose substitution) counts as unset. */
export const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: every process logs JSON lines on stdout at this level. */
export const loggingConfigSchema = z.object({
  LOG_LEVEL: z
    .enum(LOG_LEVELS)
    .default('info')
    .describe('log level of the API, the grading consumer and the worker (JSON lines on stdout)'),
});

export const nodeEnvConfigSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe(
      "`production` makes the API and the worker refuse the dev LiveKit credentials, the API refuse to start without `JWT_SECRET` (or `JWKS_URL`), and turns `pnpm dev-token` and the web app's demo sign-in (`/dev/sign-in`) off",
    ),
});

/** The database's URL; unset in a development checkout means its embedded server (docs/database.md). */
export const databaseUrlConfigSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .meta({
      description:
        'PostgreSQL connection URL (`postgres://user:pass@host:5432/db`); unset: the embedded server. Queries are named prepared statements, so behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21) add `?prepare=false`',
    }),
});

/** The credentials `livekit-server --dev` accepts: the local default, never production's. */
export const DEV_LIVEKIT_KEY = 'devkey';
export const DEV_LIVEKIT_SECRET = 'secret';

/** The LiveKit server and its credentials, as the API and the worker both read them. */
export const liveKitConfigSchema = z.object({
  LIVEKIT_URL: z
    .url({ protocol: /^(wss?|https?)$/ })
    .default('ws://localhost:7880')
    .describe('the LiveKit server (API and worker); `livekit-server --dev` listens here'),
  LIVEKIT_API_KEY: z
    .string()
    .min(1)
    .default(DEV_LIVEKIT_KEY)
    .describe("LiveKit API key (the `--dev` server's default is refused when `NODE_ENV=production`)"),
  LIVEKIT_API_SECRET: z
    .string()
    .min(1)
    .default(DEV_LIVEKIT_SECRET)
    .describe("LiveKit API secret (the `--dev` server's default is refused when `NODE_ENV=production`)"),
  /** The agent dispatched into every room the API creates; the worker registers under the same name. */
  AGENT_NAME: z
    .string()
    .min(1)
    .default('standardized-patient')
    .describe('name the worker registers under; the API dispatches it when it creates a room'),
});

/** The OpenAI-compatible endpoint every model call goes to (grading, text patient, study assistant, worker). */
export const modelEndpointConfigSchema = z.object({
  OPENAI_API_KEY: z
    .preprocess(blankIsUnset, z.string().min(1).optional())
    .describe(
      'key for the model endpoint; with neither it nor `OPENAI_BASE_URL` set, the offline grader and the scripted text patient work and the study assistant answers 503',
    ),
  OPENAI_BASE_URL: z
    .preprocess(blankIsUnset, z.url({ protocol: /^https?$/ }).optional())
    .describe(
      'any OpenAI-compatible server (unset: OpenAI itself); grading, the text patient, the study assistant and the worker use it',
    ),
});

type GuardedValues = {
  NODE_ENV?: unknown;
  LIVEKIT_API_KEY?: unknown;
  LIVEKIT_API_SECRET?: unknown;
};

/**
 * The production guard of every process that holds LiveKit credentials: the `--dev` server's are
 * public, so anyone could mint tokens for a server that accepts them. One problem naming both variables.
 */
export function refuseDevLiveKitCredentials(config: GuardedValues, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV !== 'production') return;
  const devKey = config.LIVEKIT_API_KEY === DEV_LIVEKIT_KEY;
  if (!devKey && config.LIVEKIT_API_SECRET !== DEV_LIVEKIT_SECRET) return;
  ctx.addIssue({
    code: 'custom',
    path: [devKey ? 'LIVEKIT_API_KEY' : 'LIVEKIT_API_SECRET'],
    message: `the livekit-server --dev default (${DEV_LIVEKIT_KEY} / ${DEV_LIVEKIT_SECRET}) is refused in production; set LIVEKIT_API_KEY and LIVEKIT_API_SECRET to your LiveKit server's credentials`,
  });
}

/**
 * Runs a production guard even when another setting is wrong too, so one start reports every
 * problem (zod otherwise skips refinements after a failed field).
 */
export const alwaysCheck = { when: (payload: { value: unknown }) => typeof payload.value === 'object' } as const;

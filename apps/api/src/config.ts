/** The API's settings, read once at start; a bad value stops the process with one line naming it. */
import {
  SESSION_DEFAULTS,
  type SessionLimits,
  TEXT_CHANNEL_DEFAULTS,
  type TextChannelLimits,
  warningBeforeEndSetting,
} from '@sp/core';
import { gradingConfigSchema } from '@sp/grading';
import { modelConfigSchema } from '@sp/models';
import {
  alwaysCheck,
  liveKitConfigSchema,
  loggingConfigSchema,
  nodeEnvConfigSchema,
  refuseDevLiveKitCredentials,
} from '@sp/runtime';
import { z } from 'zod';
import { ROOM_EMPTY_TIMEOUT_SECONDS } from './http/livekit.js';

/** Lets `pnpm dev` and tests run without a secret; production must bring its own. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production';

/** A rate limit: requests per window, or `unlimited` (null) for none. */
const rateLimit = (fallback: number) =>
  z
    .union([z.literal('unlimited').transform(() => null), z.coerce.number().int().min(1).max(1_000_000_000)])
    .default(fallback);

const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());

export const apiConfigSchema = z
  .object({
    ...nodeEnvConfigSchema.shape,
    PORT: z.coerce.number().int().min(1).max(65535).default(8080).describe('port the API listens on'),
    ...loggingConfigSchema.shape,
    JWT_SECRET: optionalString
      .pipe(z.string().min(32, 'must be at least 32 characters').optional())
      .describe(
        'HS256 secret of the bearer tokens (at least 32 characters); unset: a fixed dev secret, refused in production unless `JWKS_URL` is set',
      ),
    JWKS_URL: z
      .preprocess((v) => (v === '' ? undefined : v), z.url().optional())
      .describe("an identity provider's JWKS; when set, tokens are verified with its keys"),
    JWT_ISSUER: optionalString.describe('when set, tokens must carry this `iss`'),
    JWT_AUDIENCE: optionalString.describe('when set, tokens must carry this `aud`'),
    JWT_TENANT_CLAIM: z
      .string()
      .regex(/^[\w:./-]{1,100}$/, 'must be a claim name')
      .default('tenant_id')
      .describe(
        "the token claim that carries the caller's tenant id (a UUID), e.g. a custom claim of your identity provider",
      ),
    JWT_ROLE_CLAIM: z
      .string()
      .regex(/^[\w:./-]{1,100}$/, 'must be a claim name')
      .default('role')
      .describe("the token claim that carries the caller's role: `student`, `instructor` or `admin`"),
    OIDC_ISSUER: z
      .preprocess((v) => (v === '' ? undefined : v), z.url().optional())
      .describe(
        "the web app's OpenID Connect provider (authorization code with PKCE); set it with `OIDC_CLIENT_ID`, and `JWKS_URL` so the API verifies the same tokens",
      ),
    OIDC_CLIENT_ID: optionalString.describe("the web app's client id at `OIDC_ISSUER` (a public client: no secret)"),
    OIDC_SCOPE: z
      .string()
      .min(1)
      .default('openid profile')
      .describe('the scopes the web app asks for; they must bring the tenant and role claims into the ID token'),
    /** The longest a bearer token may live, `exp` minus `iat` (or minus now, without `iat`); longer ones answer 401. */
    JWT_MAX_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(24 * 3600)
      .describe(
        'the longest a bearer token may live (`exp` minus `iat`, or minus now without `iat`), in seconds; a token must carry `exp`, and longer ones answer 401',
      ),
    /** Clock skew allowed between the token issuer and the API for a token's `iat` (`exp` itself is exact). */
    JWT_CLOCK_TOLERANCE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600)
      .default(60)
      .describe(
        "clock skew allowed between the token issuer and the API for a token's `iat`, in seconds (`exp` itself is exact)",
      ),
    ...liveKitConfigSchema.pick({ LIVEKIT_URL: true }).shape,
    /** The LiveKit URL the browser connects to (`server_url`), when it differs from the API's own way in. */
    LIVEKIT_PUBLIC_URL: z
      .preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^wss?$/ }).optional())
      .describe(
        'the LiveKit URL the browser is given (`server_url`) when the API reaches LiveKit by another address, e.g. inside docker compose; unset: `LIVEKIT_URL`',
      ),
    ...liveKitConfigSchema.pick({ LIVEKIT_API_KEY: true, LIVEKIT_API_SECRET: true }).shape,
    /** How long one LiveKit API call may take before initialize answers 502 LIVEKIT_UNAVAILABLE. */
    LIVEKIT_REQUEST_TIMEOUT_SECONDS: z.coerce
      .number()
      .positive()
      .max(60)
      .default(5)
      .describe(
        'how long one LiveKit API call from the API may take, in seconds (fractions allowed); a slower LiveKit answers initialize with 502 `LIVEKIT_UNAVAILABLE`',
      ),
    ...liveKitConfigSchema.pick({ AGENT_NAME: true }).shape,
    PENDING_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(ROOM_EMPTY_TIMEOUT_SECONDS)
      .describe(
        "a session nobody joined (no voice or text contact) this many seconds after its room opened ends `pending_timeout`: not graded, not an attempt; default: the room's empty timeout",
      ),
    RECONNECT_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(SESSION_DEFAULTS.reconnectWindowSeconds)
      .describe('how long after the last contact a session may still be resumed, in seconds'),
    MAX_RECONNECTS: z.coerce
      .number()
      .int()
      .min(0)
      .default(SESSION_DEFAULTS.maxReconnects)
      .describe('resumes a session may have'),
    /** Largest request body the API reads, in bytes. */
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024)
      .describe('largest request body the API reads, in bytes'),
    /** Browser origins (a university portal) allowed to call the API across origins; the served web app needs none. */
    CORS_ORIGINS: z
      .preprocess(
        (v) =>
          typeof v === 'string'
            ? v
                .split(',')
                .map((o) => o.trim())
                .filter(Boolean)
            : v,
        z.array(z.string().refine(isOrigin, 'each entry must be an origin such as https://portal.example.edu')),
      )
      .default([])
      .meta({
        shownDefault: '',
        description:
          'comma-separated browser origins (`https://portal.example.edu`) allowed to call the API from their pages (CORS, without credentials); empty: none',
      }),
    CORS_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(600)
      .describe('how long a browser may cache a CORS preflight answer, in seconds'),
    /** Rate limits (docs/api.md#rate-limits): requests per user and route family in each window, counted in PostgreSQL. */
    RATE_LIMIT_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe("the rate limits' window, in seconds: each limit counts requests per user in one window"),
    RATE_LIMIT_SESSION_STARTS: rateLimit(10).describe(
      'session starts and resumes (`POST /v1/sessions/initialize`) per user and window; `unlimited` for none',
    ),
    RATE_LIMIT_TEXT_TURNS: rateLimit(30).describe(
      'text turns (`POST /v1/sessions/{id}/messages`) per user and window; `unlimited` for none',
    ),
    RATE_LIMIT_STUDY_ASSISTANT: rateLimit(20).describe(
      'study-assistant messages (`POST /v1/mind/chat`) per user and window; `unlimited` for none (the daily quota is separate)',
    ),
    /** Study-assistant turns a student may have answered per day; `unlimited` for no quota. */
    CHAT_DAILY_QUOTA: z
      .union([z.literal('unlimited').transform(() => null), z.coerce.number().int().min(0).max(1_000_000)])
      .default(50)
      .describe('answered study-assistant turns per student and day; `unlimited` for no quota'),
    /** The time zone whose calendar day the quota counts (an IANA name such as Africa/Lagos). */
    CHAT_QUOTA_TIMEZONE: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'must be an IANA time zone such as UTC or Africa/Lagos')
      .describe('the time zone whose calendar day the quota counts (an IANA name such as `Africa/Lagos`)'),
    DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce
      .number()
      .positive()
      .max(60)
      .default(3)
      .describe('how long the API may take to open a database connection, in seconds, before the request answers 503'),
    DATABASE_QUERY_TIMEOUT_SECONDS: z.coerce
      .number()
      .positive()
      .max(300)
      .default(5)
      .describe(
        'the most one API query may take, in seconds, waiting for a pool connection included; past it the request answers 503 `SERVICE_UNAVAILABLE` with `Retry-After`',
      ),
    REPORT_WAIT_RECHECK_SECONDS: z.coerce
      .number()
      .positive()
      .max(120)
      .default(10)
      .describe(
        'a report long-poll re-reads at least this often, in seconds, in case a completion notification was lost while the database was away',
      ),
    TEXT_REPLY_LEASE_SECONDS: z.coerce
      .number()
      .positive()
      .max(600)
      .default(TEXT_CHANNEL_DEFAULTS.replyLeaseSeconds)
      .describe(
        "the lease of a text-channel reply being written, in seconds: renewed every third of it while the reply streams; after an API crash mid-reply the student's next message is taken once it runs out (409 `SESSION_BUSY` until then)",
      ),
    /** Resumable answers (docs/streaming.md): the frames of each streamed answer, kept in PostgreSQL for a while. */
    STREAM_REPLAY_RETENTION_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(3600)
      .describe(
        'how long the frames of a streamed answer are kept for a client to resume it with `Last-Event-ID`, in seconds; after that resuming answers 404 and the stored answer is read from the conversation or the session',
      ),
    STREAM_REPLAY_FLUSH_MS: z.coerce
      .number()
      .int()
      .min(5)
      .max(5000)
      .default(200)
      .describe(
        'frames of a streamed answer are stored in one statement per this many milliseconds (the first at once); a client resuming on another API process sees new frames this much later',
      ),
    STREAM_STALL_SECONDS: z.coerce
      .number()
      .positive()
      .max(3600)
      .default(120)
      .describe(
        'a resumed answer whose frames stopped coming for this long, unfinished, was cut by its API process: the resumed stream ends with an `error` frame',
      ),
    /** The grading consumers' lease, which a regrade respects (defined, and documented, with the grading settings). */
    ...gradingConfigSchema.pick({ GRADING_LEASE_SECONDS: true }).shape,
    /** The text-to-speech provider GET /v1/voices describes (defined, and documented, with the model settings). */
    ...modelConfigSchema.pick({ OPENAI_BASE_URL: true, TTS_VOICES: true }).shape,
    /** The built web app the API serves at `/` (default: apps/web/dist); nothing is served when it has no index.html. */
    WEB_DIST_DIR: optionalString.meta({
      shownDefault: 'apps/web/dist',
      description:
        'the built web app the API serves at `/` (same origin); nothing is served when the folder has no `index.html` (see docs/web.md)',
    }),
    /** Text channel: the most active time one gap between a student's text turns adds. */
    TEXT_TURN_GAP_CAP_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(TEXT_CHANNEL_DEFAULTS.gapCapSeconds)
      .describe("text channel: the most active time one gap between a student's turns adds, in seconds"),
    /** The worker's setting: by text, the turn that crosses into it asks the patient to mention leaving soon. */
    AGENT_WARNING_BEFORE_END_SECONDS: warningBeforeEndSetting,
  })
  // Production guards, run even when another setting is wrong too, so one start names every problem.
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.JWT_SECRET && !c.JWKS_URL)
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required in production (or set JWKS_URL)' });
    refuseDevLiveKitCredentials(c, ctx);
  }, alwaysCheck)
  .transform((c) => ({ ...c, JWT_SECRET: c.JWT_SECRET ?? (c.JWKS_URL ? undefined : DEV_JWT_SECRET) }));
export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** The session rules' limits (@sp/core) from the settings, built here once for the resume, the views and text turns. */
export function sessionLimits(
  config: Pick<
    ApiConfig,
    'MAX_RECONNECTS' | 'RECONNECT_WINDOW_SECONDS' | 'TEXT_TURN_GAP_CAP_SECONDS' | 'TEXT_REPLY_LEASE_SECONDS'
  >,
): SessionLimits & TextChannelLimits {
  return {
    maxReconnects: config.MAX_RECONNECTS,
    reconnectWindowSeconds: config.RECONNECT_WINDOW_SECONDS,
    gapCapSeconds: config.TEXT_TURN_GAP_CAP_SECONDS,
    replyLeaseSeconds: config.TEXT_REPLY_LEASE_SECONDS,
  };
}

/** `scheme://host[:port]` and nothing more: what a browser sends in `Origin`. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Parses a config from explicit values (tests, bench) with the same rules as the environment. */
export function apiConfig(values: Record<string, string | undefined> = {}): ApiConfig {
  return apiConfigSchema.parse(values);
}

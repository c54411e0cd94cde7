import { z } from 'zod';
import { loadProcessEnvFile } from './env-file.js';

export { REPO_ROOT } from './env-file.js';

export const databaseConfigSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .meta({
      description:
        'PostgreSQL connection URL (`postgres://user:pass@host:5432/db`); unset: the embedded server. Queries are named prepared statements, so behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21) add `?prepare=false`',
    }),
  EMBEDDED_POSTGRES_PORT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(65535)
    .default(5433)
    .describe('port of the embedded server (loopback only)'),
  EMBEDDED_POSTGRES_DIR: z.string().min(1).optional().meta({
    shownDefault: '.data/postgres',
    description:
      "data folder of the embedded server, the checkout's own (`.data/postgres` under the repository root); as root, when the `postgres` user that runs the server cannot reach the checkout, a folder of this checkout's own under /var/tmp/standardized-patient/data",
  }),
  EMBEDDED_POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('standardized_patient')
    .describe('database created on the embedded server'),
});
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

/**
 * Reads and checks configuration once; a bad value stops the process with one line naming it.
 * From the process's environment, the repository's `.env` is read first (the environment wins).
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  if (env === process.env) loadProcessEnvFile();
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') ?? 'configuration';
  console.error(`configuration error: ${name}: ${issue?.message ?? 'invalid'}`);
  process.exit(1);
}

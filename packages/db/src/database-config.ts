import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const databaseConfigSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1024).max(65535).default(5433),
  EMBEDDED_POSTGRES_DIR: z.string().min(1).default(`${REPO_ROOT}.data/postgres`),
  EMBEDDED_POSTGRES_DB: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('standardized_patient'),
});
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

/** Reads and checks configuration once; a bad value stops the process with one line naming it. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') ?? 'configuration';
  console.error(`configuration error: ${name}: ${issue?.message ?? 'invalid'}`);
  process.exit(1);
}

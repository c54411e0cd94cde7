/** The development database's settings: DATABASE_URL, else the embedded server these describe. */
import { databaseConfigSchema } from '@sp/db';
import { z } from 'zod';

export const devDatabaseConfigSchema = databaseConfigSchema.extend({
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
export type DevDatabaseConfig = z.infer<typeof devDatabaseConfigSchema>;

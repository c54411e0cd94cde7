/** The database setting every process reads (DATABASE_URL, defined with the shared settings in @sp/runtime). */
import { databaseUrlConfigSchema } from '@sp/runtime';
import type { z } from 'zod';

export const databaseConfigSchema = databaseUrlConfigSchema;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

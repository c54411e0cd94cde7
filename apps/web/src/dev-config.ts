/** The web app's dev server settings (`pnpm dev`), read once at start like every other app's. */
import { z } from 'zod';

export const webDevConfigSchema = z.object({
  WEB_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(5173)
    .describe(
      "`pnpm dev`: where the web app's dev server listens (it forwards the API's paths to `PORT`); the address to open",
    ),
});

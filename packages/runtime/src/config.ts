/**
 * Reading a process's configuration: the repository's `.env` first (the environment wins), then
 * zod schemas. Every problem is reported at once (one restart fixes them all), as a ConfigError;
 * only an entry file turns that into an exit, through `exitOnConfigError`.
 */
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { loadProcessEnvFile } from './env-file.js';

export { ConfigError, type ConfigProblem } from './config-error.js';

type Schemas = Record<string, z.ZodType>;
export type Configs<T extends Schemas> = { [K in keyof T]: z.infer<T[K]> };

/**
 * Parses each schema against the environment; throws one ConfigError with every problem of every
 * schema (a variable two schemas share is named once). From the process's environment, `.env` is read first.
 */
export function loadConfigs<T extends Schemas>(schemas: T, env: NodeJS.ProcessEnv = process.env): Configs<T> {
  if (env === process.env) loadProcessEnvFile();
  const problems: ConfigProblem[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(schemas)) {
    const result = schema.safeParse(env);
    if (result.success) {
      parsed[key] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      const problem = { name: issue.path.join('.') || 'configuration', message: issue.message };
      if (!problems.some((known) => known.name === problem.name && known.message === problem.message))
        problems.push(problem);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed as Configs<T>;
}

/** One schema's `loadConfigs`. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  return loadConfigs({ config: schema }, env).config;
}

/**
 * For entry files (an app's or a command's start): runs `body`; a ConfigError it throws ends the
 * process with its lines on stderr and exit status 1. The one place configuration stops a process.
 */
export function exitOnConfigError<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.lines) console.error(line);
    return process.exit(1);
  }
}

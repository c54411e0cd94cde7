/** What the benchmarks share: a throwaway migrated PostgreSQL, worker threads running TypeScript, a local HTTP server, percentiles. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import { connect, type DbHandle, migrateDatabase, seedDemo } from '@sp/db';
import { freePort, startEmbeddedPostgres, temporaryDataRoot } from '@sp/dev-postgres';

/**
 * An embedded PostgreSQL in a temp folder, migrated and seeded with the demo
 * tenant and case studies, with a pool of 20 on it; `stop()` closes the pool
 * and removes it all.
 */
export async function benchDatabase(name: string) {
  const dir = await temporaryDataRoot(`sp-bench-${name}-`);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    persistent: false,
    fast: true,
  });
  let handle: DbHandle | null = null;
  const stop = async () => {
    await handle?.close().catch(() => {});
    await pg.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await migrateDatabase(pg.url);
    handle = connect(pg.url, { max: 20, applicationName: `bench-${name}` });
    const { tenant, caseStudies } = await seedDemo(handle.db);
    return { url: pg.url, pid: pg.pid, handle, tenant, caseStudies, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A worker thread running a TypeScript module of this folder (workers do not inherit tsx's loader, so register it first). */
export function thread(module: string, workerData?: unknown): Worker {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(module, import.meta.url).href);
  const boot = `import(${tsx}).then((api) => { api.register(); return import(${entry}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** The first message a worker posts. */
export function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Serves a fetch handler on 127.0.0.1 on a free port. */
export function listen(fetch: (req: Request) => Response | Promise<Response>) {
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The script's arguments, without the `--` that `pnpm bench:x -- --flag` passes through. */
export function scriptArgs(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

/**
 * A database outage, with an embedded PostgreSQL of this file's own stopped
 * and started again: requests during the outage fail fast with 503
 * SERVICE_UNAVAILABLE and Retry-After, requests recover promptly once it is
 * back, and a report long-poll that spans the outage still wakes.
 */
import { rm } from 'node:fs/promises';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { endSession, migrateDatabase } from '@sp/db';
import { freePort, type RunningPostgres, startEmbeddedPostgres, temporaryDataRoot } from '@sp/dev-postgres';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { claimReport, finishReport } from '@sp/grading';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { apiConfig } from '../src/config.js';
import { apiDatabase } from '../src/http/deps.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { tokenFor } from './support.js';

const dataDir = await temporaryDataRoot('sp-outage-');
const port = await freePort();
const start = () => startEmbeddedPostgres({ dataDir, port, persistent: true, fast: true });
let server: RunningPostgres = await start();
await migrateDatabase(server.url);
afterAll(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const config = apiConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', REPORT_WAIT_RECHECK_SECONDS: '1' });
const handle = apiDatabase(server.url, config);
afterAll(() => handle.close());
const app = createApp({ db: handle.db, config, livekit: liveKitRooms(config) });
const tenant = await insertTenant(handle.db);
const caseStudy = await insertCaseStudy(handle.db, tenant.id);
const token = await tokenFor({ userId: 'outage-student', tenantId: tenant.id, role: 'student' });

async function timed(path: string) {
  const started = performance.now();
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json();
  return {
    status: res.status,
    body,
    retryAfter: res.headers.get('retry-after'),
    seconds: (performance.now() - started) / 1000,
  };
}

describe('a database outage', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After within the bound, and recovers within a second of its return', async () => {
    expect((await timed('/v1/sessions')).status).toBe(200);
    await server.stop();

    // Requests keep coming for two seconds: every one fails to connect, which is what used to stretch
    // postgres.js's reconnect delay (up to 20 s) and hold the first requests after the database returned.
    const during = [];
    const paths = ['/v1/sessions', '/v1/case-studies', `/v1/case-studies/${caseStudy.id}`];
    for (const outageStart = performance.now(); performance.now() - outageStart < 2_000; ) {
      during.push(await timed(paths[during.length % paths.length] ?? '/v1/sessions'));
    }
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.seconds).toBeLessThan(5);
    }
    console.log(
      `during the outage: ${during.length} requests, slowest ${Math.max(...during.map((a) => a.seconds)).toFixed(2)} s`,
    );

    server = await start();
    const backAt = performance.now();
    let first = await timed('/v1/sessions');
    while (first.status !== 200 && performance.now() - backAt < 10_000) first = await timed('/v1/sessions');
    const recovery = (performance.now() - backAt) / 1000;
    console.log('recovered after', recovery.toFixed(2), 's');
    expect(first.status).toBe(200);
    expect(recovery).toBeLessThan(1);
  }, 60_000);

  it('wakes a report long-poll whose report completes after the database came back', async () => {
    const session = await insertSession(handle.db, {
      tenantId: tenant.id,
      userId: 'outage-student',
      contentId: caseStudy.id,
      status: 'active',
    });
    await endSession(handle.db, session.id, 'user_ended');
    const polling = timed(`/v1/sessions/${session.id}/report?wait_for_completion=true&timeout_seconds=60`);
    await new Promise((resolve) => setTimeout(resolve, 300));

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server = await start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await claimReport(handle.db, session.id, 60);
    await finishReport(handle.db, session.id, { status: 'failed', error: 'test', grader: 'heuristic', model: null });
    const finishedAt = performance.now();

    const answer = await polling;
    const late = (performance.now() - finishedAt) / 1000;
    console.log('long-poll answered', late.toFixed(2), 's after the report completed');
    expect(answer.status).toBe(200);
    expect(answer.body.data.status).toBe('failed');
    expect(late).toBeLessThan(2);
  }, 60_000);
});

/**
 * A database that stops answering without closing anything (a network
 * partition, a wedged server): a proxy that, once frozen, forwards nothing and
 * accepts new connections without ever completing them.
 */
async function freezableProxy(url: string) {
  const target = new URL(url);
  let frozen = false;
  const pairs = new Set<[Socket, Socket]>();
  const proxy = createServer((client) => {
    const upstream = tcpConnect({ host: target.hostname, port: Number(target.port) });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
    if (frozen) for (const socket of pair) socket.pause();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.port = String((proxy.address() as { port: number }).port);
  return {
    url: proxied.toString(),
    freeze(on: boolean) {
      frozen = on;
      for (const pair of pairs) for (const socket of pair) on ? socket.pause() : socket.resume();
    },
    close: () => {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      return new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

describe('a database that hangs', () => {
  it('answers 503 within DATABASE_QUERY_TIMEOUT_SECONDS rather than waiting, and recovers at once when it answers again', async () => {
    const proxy = await freezableProxy(server.url);
    const hungConfig = apiConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_QUERY_TIMEOUT_SECONDS: '1',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '1',
    });
    const hung = apiDatabase(proxy.url, hungConfig);
    const hungApp = createApp({ db: hung.db, config: hungConfig, livekit: liveKitRooms(hungConfig) });
    const call = async (path: string) => {
      const started = performance.now();
      const res = await hungApp.request(path, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.json();
      return {
        status: res.status,
        body,
        retryAfter: res.headers.get('retry-after'),
        seconds: (performance.now() - started) / 1000,
      };
    };
    try {
      expect((await call('/v1/sessions')).status).toBe(200);
      proxy.freeze(true);
      // More requests than the pool has connections: some wait for one, some for a connection that never opens.
      const during = await Promise.all(Array.from({ length: 30 }, () => call('/v1/case-studies')));
      const slowest = Math.max(...during.map((a) => a.seconds));
      console.log('hung database: 30 requests answered within', slowest.toFixed(2), 's');
      for (const answer of during) {
        expect(answer.status).toBe(503);
        expect(answer.body.error.code).toBe('SERVICE_UNAVAILABLE');
        expect(answer.retryAfter).toBe('2');
      }
      expect(slowest).toBeLessThan(2.5);

      proxy.freeze(false);
      const back = performance.now();
      let answer = await call('/v1/case-studies');
      while (answer.status !== 200 && performance.now() - back < 10_000) answer = await call('/v1/case-studies');
      const recovery = (performance.now() - back) / 1000;
      console.log('hung database: recovered after', recovery.toFixed(2), 's');
      expect(recovery).toBeLessThan(1);
    } finally {
      await hung.close().catch(() => {});
      await proxy.close();
    }
  }, 60_000);
});

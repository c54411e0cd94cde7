/**
 * A TCP proxy in front of the test PostgreSQL that can be cut and restored,
 * to make the database "briefly unavailable" for a client that connects through it.
 * A cut is a server going down: open connections drop and new ones are refused
 * (ECONNREFUSED), so queries fail rather than wait, as they would in production.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface PgProxy {
  /** The database URL, rewritten to go through the proxy. */
  url: string;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startPgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = tcpConnect({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  const port = address.port;
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: proxied.toString(),
    cut() {
      if (!up) return;
      up = false;
      server.close();
      dropAll();
    },
    restore() {
      if (up) return;
      up = true;
      server.listen(port, '127.0.0.1');
    },
    close: () =>
      new Promise<void>((resolve) => {
        up = false;
        dropAll();
        server.close(() => resolve());
      }),
  };
}

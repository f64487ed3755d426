/** Servers on 127.0.0.1 for the plugins to reach: a free port each, closed by the test's cleanups. */
import net from 'node:net';
import { freePort } from './rsyncd';

export type Cleanups = Array<() => unknown>;

/** Listens on a free loopback port; its close is pushed onto `cleanups`. */
export async function listenLoopback(server: net.Server, cleanups: Cleanups): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return port;
}

/** A TCP server that keeps what each connection sent, whole, once the peer ended it (the socket plugin's payloads). */
export async function collectConnections(cleanups: Cleanups): Promise<{ port: number; payloads: Buffer[] }> {
  const payloads: Buffer[] = [];
  const port = await listenLoopback(net.createServer((s) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => {
      payloads.push(Buffer.concat(chunks));
      s.end();
    });
  }), cleanups);
  return { port, payloads };
}

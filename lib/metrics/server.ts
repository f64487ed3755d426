/**
 * `--metrics-listen HOST:PORT`: GET /metrics and nothing else. No authentication, as usual for
 * exporters: bind loopback or a management network (README, Metrics).
 */
import http from 'node:http';
import { StartError } from '../startError';

export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export function serveMetrics(listen: { readonly host: string; readonly port: number }, source: MetricsSource, warn: (message: string) => void): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' }).end('only GET\n');
      return;
    }
    source.text().then(
      (text) => res.writeHead(200, { 'Content-Type': source.contentType }).end(text),
      (error: Error) => {
        warn(`metrics: ${error.message}`);
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('cannot collect the metrics\n');
      },
    );
  });
  // A scraper that opens a connection and says nothing must not hold a socket for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new StartError('METRICS_LISTEN', `cannot listen on ${listen.host}:${listen.port} for --metrics-listen: ${error.code ?? error.message}`)));
    server.listen(listen.port, listen.host, () => {
      server.removeAllListeners('error');
      server.on('error', (error) => warn(`metrics: ${error.message}`));
      // Serving metrics alone must not keep a stopping daemon alive.
      server.unref();
      resolve(server);
    });
  });
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOn } from '../util/index.ts';

/** What the listener serves: the registry's text exposition. */
export interface MetricsScraper {
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** A running `/metrics` listener. */
export interface MetricsServer {
  /** `http://<host>:<port>/metrics`, with the port the listener got. */
  readonly url: string;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function serve(
  metrics: MetricsScraper,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    reply(res, 404, 'not found: metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    reply(res, 405, 'method not allowed\n');
    return;
  }
  try {
    const { contentType, body } = await metrics.scrape();
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e: unknown) {
    reply(res, 500, `collecting metrics failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/**
 * Serves `GET /metrics` over plain HTTP, as Prometheus scrapes it, on `host:port` (0: any free
 * port). Resolves once listening; rejects when the address cannot be bound.
 */
export async function startMetricsServer(o: {
  metrics: MetricsScraper;
  host: string;
  port: number;
}): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    void serve(o.metrics, req, res);
  });
  const port = await listenOn(server, o);
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${String(port)}/metrics`,
    close: () => {
      closed ??= closeServer(server);
      return closed;
    },
  };
}

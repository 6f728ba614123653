import { toError } from '../../util/index.ts';
import type { StreamConn } from '../http-types.ts';
import type { PortDialer } from './source.ts';
import { SpdyServer, type SpdyStream } from './spdy.ts';

/**
 * Port-forward as kubectl 1.31+ speaks it: SPDY/3.1 `portforward.k8s.io` tunnelled through a
 * WebSocket. Each forwarded connection is a pair of streams with the same `requestid`: `error`
 * (the server writes a message if forwarding fails) and `data` (the bytes both ways); the
 * server half-closes both when the connection is done (the kubelet's httpStreamHandler).
 */
export const PORT_FORWARD_PROTOCOLS: readonly string[] = ['SPDY/3.1+portforward.k8s.io'];

interface StreamPair {
  error?: SpdyStream;
  data?: SpdyStream;
}

/** The port a stream names, or the kubelet's reason to refuse it. */
export function streamPort(headers: ReadonlyMap<string, string>): number | string {
  const raw = headers.get('port');
  if (raw === undefined || raw === '') return '"port" header is required';
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    return `unable to parse "${raw}" as a port: strconv.ParseUint: parsing "${raw}": invalid syntax`;
  }
  if (Number(raw) < 1) return `port "${raw}" must be > 0`;
  return Number(raw);
}

async function forward(pair: Required<StreamPair>, dial: PortDialer, signal: AbortSignal) {
  const { error, data } = pair;
  const port = streamPort(data.headers);
  try {
    if (typeof port === 'string') throw new Error(port);
    await dial(port, {
      input: data.data,
      write: (c) => {
        data.write(c);
      },
      signal,
    });
  } catch (e: unknown) {
    error.write(Buffer.from(toError(e).message));
  } finally {
    data.close();
    error.close();
  }
}

/** Serves one port-forward connection until the client closes it. */
export async function servePortForward(conn: StreamConn, dial: PortDialer): Promise<void> {
  const pairs = new Map<string, StreamPair>();
  const running: Promise<void>[] = [];
  const server = new SpdyServer({
    write: (bytes) => {
      if (!conn.signal.aborted) conn.send(bytes);
    },
    onStream: (stream) => {
      const type = stream.headers.get('streamtype');
      const requestId = stream.headers.get('requestid') ?? '';
      if (type !== 'error' && type !== 'data') {
        server.reset(stream.id);
        return;
      }
      const pair = pairs.get(requestId) ?? {};
      pair[type] = stream;
      pairs.set(requestId, pair);
      if (pair.error && pair.data) {
        pairs.delete(requestId);
        running.push(forward({ error: pair.error, data: pair.data }, dial, conn.signal));
      }
    },
  });
  try {
    for await (const message of conn.messages) server.receive(message);
  } catch {
    // A malformed frame ends the session, as a protocol error ends spdystream's.
    conn.close();
  } finally {
    server.shutdown(false);
  }
  await Promise.all(running);
}

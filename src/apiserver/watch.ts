import type { KubeObject } from '../api/index.ts';
import { StoreExpiredError, type StoreEvent } from '../store/index.ts';
import { negotiate } from './content.ts';
import { errors, statusFailure } from './errors.ts';
import type { ResponseSink, StreamingResponse } from './http-types.ts';
import { matches, parseFilter, tableOf, type Filter } from './rest-read.ts';
import { keyFor, prefixFor, toExternal, type RestOp } from './rest-context.ts';

export interface WatchTiming {
  /** How often bookmarks go out when the client allows them. */
  readonly bookmarkIntervalMs: number;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

interface Params {
  readonly from: number;
  readonly initial: boolean;
  readonly initialEndBookmark: boolean;
  readonly bookmarks: boolean;
  readonly timeoutMs: number;
  readonly table: boolean;
  readonly filter: Filter;
}

function parseParams(op: RestOp): Params {
  const q = op.req.query;
  const rv = q.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version: ${rv}`);
  const sendInitial = q.get('sendInitialEvents');
  if (sendInitial === 'true' && q.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw errors.invalid(
      { group: 'meta.k8s.io', resource: 'listoptions', kind: 'ListOptions' },
      '',
      [
        {
          type: 'FieldValueForbidden',
          field: 'resourceVersionMatch',
          message:
            'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        },
      ],
    );
  }
  const initial = sendInitial === 'true' || (sendInitial === null && (rv === '' || rv === '0'));
  const timeoutRaw = q.get('timeoutSeconds');
  // Without a timeout upstream closes after a random 30–60 minutes (--min-request-timeout 1800s).
  const timeoutMs =
    timeoutRaw === null
      ? (1800 + op.deps.ids.int(1800)) * 1000
      : Math.max(0, Number(timeoutRaw)) * 1000;
  return {
    from: rv === '' || rv === '0' ? op.deps.store.revision() : Number(rv),
    initial,
    initialEndBookmark: sendInitial === 'true',
    bookmarks: q.get('allowWatchBookmarks') === 'true',
    timeoutMs,
    table: negotiate(op.req.headers['accept']) === 'table',
    filter: parseFilter(op),
  };
}

/**
 * Decides what a watcher with a filter sees of one change: objects entering the filter are
 * ADDED, leaving it DELETED, as upstream's watch cache does.
 */
function classify(
  op: RestOp,
  f: Filter,
  e: StoreEvent,
): { type: EventType; object: KubeObject } | undefined {
  const now = toExternal(op.def, e.object);
  const nowMatches = matches(op.def, f, now);
  if (e.type === 'ADDED') return nowMatches ? { type: 'ADDED', object: now } : undefined;
  const before = e.prev ? matches(op.def, f, toExternal(op.def, e.prev)) : nowMatches;
  if (e.type === 'DELETED')
    return before || nowMatches ? { type: 'DELETED', object: now } : undefined;
  if (nowMatches && before) return { type: 'MODIFIED', object: now };
  if (nowMatches) return { type: 'ADDED', object: now };
  if (before) return { type: 'DELETED', object: now };
  return undefined;
}

function bookmarkObject(op: RestOp, rv: number, initialEnd: boolean): KubeObject {
  return {
    kind: op.def.kind,
    apiVersion: op.def.group === '' ? op.def.version : `${op.def.group}/${op.def.version}`,
    metadata: {
      resourceVersion: String(rv),
      ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
    },
  };
}

export function watch(op: RestOp, timing: WatchTiming): StreamingResponse {
  const p = parseParams(op);
  if (p.from < op.deps.store.oldestRevision()) {
    // Upstream answers 200 and then a single ERROR event with a 410 Status.
    const status = statusFailure({
      code: 410,
      reason: 'Expired',
      message: `too old resource version: ${p.from} (${op.deps.store.oldestRevision() + 1})`,
    });
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      stream: (sink) => {
        sink.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        return Promise.resolve();
      },
    };
  }
  const contentType = 'application/json';
  return {
    status: 200,
    headers: {
      'Content-Type': contentType,
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    },
    stream: (sink) => runWatch(op, { p, timing, sink }),
  };
}

function line(
  op: RestOp,
  p: Params,
  ev: { type: EventType; object: KubeObject; json?: string },
): string {
  if (p.table && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
    const t = tableOf(op, [ev.object], {
      resourceVersion: ev.object.metadata.resourceVersion ?? '',
    });
    return `${JSON.stringify({ type: ev.type, object: t })}\n`;
  }
  return `{"type":"${ev.type}","object":${ev.json ?? JSON.stringify(ev.object)}}\n`;
}

/**
 * Sends one ADDED/MODIFIED/DELETED event: to sinks that take events (in process) as its object's
 * JSON and, when that is the stored frozen object, the object itself; else as a line.
 */
function send(
  a: { op: RestOp; p: Params; sink: ResponseSink },
  ev: { type: EventType; object: KubeObject; json?: string },
): void {
  if (a.sink.writeEvent === undefined || a.p.table) {
    a.sink.write(line(a.op, a.p, ev));
    return;
  }
  if (ev.json === undefined) a.sink.writeEvent(ev.type, JSON.stringify(ev.object));
  else if (Object.isFrozen(ev.object)) a.sink.writeEvent(ev.type, ev.json, ev.object);
  else a.sink.writeEvent(ev.type, ev.json);
}

async function runWatch(
  op: RestOp,
  a: { p: Params; timing: WatchTiming; sink: ResponseSink },
): Promise<void> {
  const { p, sink } = a;
  const ac = new AbortController();
  const onAbort = (): void => {
    ac.abort();
  };
  sink.signal.addEventListener('abort', onAbort, { once: true });
  let lastRv = p.from;
  try {
    if (p.initial) {
      const single = op.info.name !== '';
      const items = single
        ? [op.deps.store.get(keyFor(op))].filter((s) => s !== undefined)
        : op.deps.store.list(prefixFor(op)).items;
      for (const s of items) {
        const obj = toExternal(op.def, s.object);
        if (matches(op.def, p.filter, obj))
          send(
            { op, p, sink },
            { type: 'ADDED', object: obj, ...(obj === s.object ? { json: s.json } : {}) },
          );
      }
      if (p.initialEndBookmark)
        sink.write(line(op, p, { type: 'BOOKMARK', object: bookmarkObject(op, p.from, true) }));
    }
    const nameKey = op.info.name === '' ? undefined : keyFor(op);
    try {
      op.deps.store.watch(prefixFor(op), { fromRevision: p.from, signal: ac.signal }, (e) => {
        if (nameKey !== undefined && e.key !== nameKey) return;
        lastRv = e.revision;
        const ev = classify(op, p.filter, e);
        if (!ev) return;
        send({ op, p, sink }, { ...ev, ...(ev.object === e.object ? { json: e.json } : {}) });
      });
    } catch (e: unknown) {
      if (!(e instanceof StoreExpiredError)) throw e;
      sink.write(
        `${JSON.stringify({ type: 'ERROR', object: statusFailure({ code: 410, reason: 'Expired', message: e.message }) })}\n`,
      );
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(bookmarks);
        resolve();
      };
      const timer = setTimeout(() => {
        if (p.bookmarks)
          sink.write(
            line(op, p, {
              type: 'BOOKMARK',
              object: bookmarkObject(op, Math.max(lastRv, op.deps.store.revision()), false),
            }),
          );
        done();
      }, p.timeoutMs);
      const bookmarks = setInterval(() => {
        if (p.bookmarks) {
          lastRv = Math.max(lastRv, op.deps.store.revision());
          sink.write(line(op, p, { type: 'BOOKMARK', object: bookmarkObject(op, lastRv, false) }));
        }
      }, a.timing.bookmarkIntervalMs);
      if (ac.signal.aborted) done();
      else ac.signal.addEventListener('abort', done, { once: true });
    });
  } finally {
    sink.signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

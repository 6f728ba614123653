import type { KubeObject } from '../api/index.ts';
import { rfc3339, type Clock } from '../util/index.ts';
import { isAlreadyExists, type KubeClient } from './client.ts';

export interface EventSource {
  /** `default-scheduler`, `kubelet`, `deployment-controller`… */
  readonly component: string;
  /** The node, for kubelet events. */
  readonly host?: string;
}

export interface EventInput {
  readonly object: KubeObject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** e.g. `spec.containers{nginx}` for kubelet container events. */
  readonly fieldPath?: string;
}

interface Seen {
  name: string;
  count: number;
  firstTimestamp: string;
}

/**
 * Records core/v1 Events as client-go's recorder does: one Event per (object, reason, message,
 * source), later occurrences bump `count` and `lastTimestamp`. Failures never break the caller.
 */
export class EventRecorder {
  readonly #client: KubeClient;
  readonly #source: EventSource;
  readonly #clock: Clock;
  readonly #seen = new Map<string, Seen>();
  #seq = 0;

  constructor(opts: { client: KubeClient; source: EventSource; clock: Clock }) {
    this.#client = opts.client;
    this.#source = opts.source;
    this.#clock = opts.clock;
  }

  /**
   * Creates the event as `<object>.<time in µs, hex>` (client-go uses nanoseconds). Several
   * recorders (the scheduler's, each kubelet's) can pick the same name within a millisecond,
   * so a taken name moves on to the next.
   */
  async #create(a: { e: EventInput; ns: string; now: number }): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const name = `${a.e.object.metadata.name ?? 'unknown'}.${(a.now * 1000 + (this.#seq++ % 1000)).toString(16)}`;
      const ev = buildEvent({ e: a.e, name, ns: a.ns, source: this.#source, time: rfc3339(a.now) });
      try {
        await this.#client.create(`/api/v1/namespaces/${a.ns}/events`, ev);
        return name;
      } catch (err: unknown) {
        if (!isAlreadyExists(err) || attempt >= 8) throw err;
        this.#seq += 97;
      }
    }
  }

  async record(e: EventInput): Promise<void> {
    const ns = e.object.metadata.namespace ?? 'default';
    const key = [e.object.metadata.uid, e.reason, e.message, e.fieldPath ?? ''].join('\u0000');
    const now = this.#clock.now();
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        seen.count++;
        await this.#client.patch(`/api/v1/namespaces/${ns}/events/${seen.name}`, {
          count: seen.count,
          lastTimestamp: rfc3339(now),
        });
        return;
      }
      const name = await this.#create({ e, ns, now });
      this.#seen.set(key, { name, count: 1, firstTimestamp: rfc3339(now) });
      if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.keys().next().value ?? '');
    } catch {
      // Events are best effort, as upstream: a lost event must not fail the controller.
    }
  }
}

function buildEvent(a: {
  e: EventInput;
  name: string;
  ns: string;
  source: EventSource;
  time: string;
}): KubeObject {
  const { e, source } = a;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: a.name, namespace: a.ns },
    involvedObject: {
      kind: e.object.kind,
      namespace: e.object.metadata.namespace,
      name: e.object.metadata.name,
      uid: e.object.metadata.uid,
      apiVersion: e.object.apiVersion,
      resourceVersion: e.object.metadata.resourceVersion,
      ...(e.fieldPath === undefined ? {} : { fieldPath: e.fieldPath }),
    },
    reason: e.reason,
    message: e.message,
    source: {
      component: source.component,
      ...(source.host === undefined ? {} : { host: source.host }),
    },
    firstTimestamp: a.time,
    lastTimestamp: a.time,
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  };
}

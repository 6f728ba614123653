import { isDeepStrictEqual } from 'node:util';
import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../../api/index.ts';
import type { Store, StoreEvent } from '../../store/index.ts';
import { type Clock, cloneJson, rfc3339 } from '../../util/index.ts';
import type { ResourceRegistry } from '../resources/registry.ts';
import type { ResourceDefinition } from '../resources/types.ts';
import {
  CLEANUP_FINALIZER,
  CRD_GROUP,
  CRD_RESOURCE,
  readCrd,
  type CrdInfo,
  type CrdNames,
} from './crd-object.ts';
import { definitionsFor } from './definitions.ts';

/**
 * The API server's own CustomResourceDefinition controllers (naming, establishing, finalizing):
 * they watch the store for CRDs, register a ResourceDefinition per served version in the
 * server's registry, keep each CRD's status (NamesAccepted, Established, acceptedNames,
 * storedVersions) and, when a CRD goes, delete its custom resources.
 */

export interface CrdControllerOptions {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
}

const CRD_PREFIX = `/${CRD_RESOURCE}.${CRD_GROUP}/`;

interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** Why a CRD's names cannot be accepted, given the names other CRDs of its group hold. */
export function namesConflict(names: CrdNames, taken: readonly CrdNames[]): Condition | undefined {
  const used = (pick: (n: CrdNames) => readonly string[]): Set<string> =>
    new Set(taken.flatMap(pick));
  const plurals = used((n) => [n.plural, n.singular, ...n.shortNames]);
  const checks: [string, readonly string[], Set<string>][] = [
    ['PluralConflict', [names.plural], plurals],
    ['SingularConflict', [names.singular], plurals],
    ['ShortNamesConflict', names.shortNames, plurals],
    ['KindConflict', [names.kind], used((n) => [n.kind, n.listKind])],
    ['ListKindConflict', [names.listKind], used((n) => [n.kind, n.listKind])],
  ];
  for (const [reason, wanted, inUse] of checks) {
    const clash = wanted.find((w) => inUse.has(w));
    if (clash !== undefined) {
      return {
        type: 'NamesAccepted',
        status: 'False',
        reason,
        message: `"${clash}" is already in use`,
      };
    }
  }
  return undefined;
}

function accepted(names: CrdNames): JsonObject {
  return {
    plural: names.plural,
    singular: names.singular,
    ...(names.shortNames.length > 0 ? { shortNames: [...names.shortNames] } : {}),
    kind: names.kind,
    listKind: names.listKind,
    ...(names.categories.length > 0 ? { categories: [...names.categories] } : {}),
  };
}

function conditionsOf(status: JsonObject): JsonObject[] {
  const c = status['conditions'];
  return Array.isArray(c) ? c.filter(isJsonObject) : [];
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. */
function setCondition(list: JsonObject[], c: Condition, now: string): JsonObject[] {
  const old = list.find((x) => x['type'] === c.type);
  const time = old?.['status'] === c.status ? old['lastTransitionTime'] : now;
  const next: JsonObject = {
    type: c.type,
    status: c.status,
    lastTransitionTime: time ?? now,
    reason: c.reason,
    message: c.message,
  };
  return old ? list.map((x) => (x === old ? next : x)) : [...list, next];
}

function storedVersions(status: JsonObject, crd: CrdInfo): string[] {
  const have = status['storedVersions'];
  const out = Array.isArray(have) ? have.filter((v): v is string => typeof v === 'string') : [];
  const storage = crd.versions.find((v) => v.storage)?.name;
  if (storage !== undefined && !out.includes(storage)) out.push(storage);
  return out;
}

function statusOf(obj: KubeObject): JsonObject {
  const s = obj['status'];
  return isJsonObject(s) ? s : {};
}

function isTerminating(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined;
}

export class CrdController {
  readonly #store: Store;
  readonly #registry: ResourceRegistry;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  /** CRD name → the definitions registered for it. */
  readonly #served = new Map<string, ResourceDefinition[]>();
  /** CRD name → the spec its definitions were built from, so status writes do not rebuild them. */
  readonly #servedSpec = new Map<string, string>();
  /** CRD name → its accepted names and group, for conflict checks. */
  readonly #accepted = new Map<string, { group: string; names: CrdNames }>();
  #work: Promise<void> = Promise.resolve();

  constructor(opts: CrdControllerOptions) {
    this.#store = opts.store;
    this.#registry = opts.registry;
    this.#clock = opts.clock;
  }

  /** Serves every stored CRD at once, then follows changes. */
  start(): void {
    const listed = this.#store.list(CRD_PREFIX);
    for (const item of listed.items) this.#sync(item.object);
    this.#store.watch(
      CRD_PREFIX,
      { fromRevision: listed.revision, signal: this.#abort.signal },
      (e) => {
        this.#onEvent(e);
      },
    );
  }

  stop(): void {
    this.#abort.abort();
  }

  /** Resolves once queued status writes and cleanups are done. */
  async idle(): Promise<void> {
    for (;;) {
      const w = this.#work;
      await w;
      if (w === this.#work) return;
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#work = this.#work.then(task).catch(() => {
      // A lost race or a closed store: the next event for the CRD retries.
    });
  }

  #onEvent(e: StoreEvent): void {
    if (e.type === 'DELETED') {
      const name = e.object.metadata.name ?? '';
      this.#unserve(name);
      const crd = readCrd(e.object);
      this.#enqueue(() => this.#deleteInstances(crd));
      return;
    }
    this.#sync(e.object);
  }

  #unserve(name: string): void {
    for (const d of this.#served.get(name) ?? []) this.#registry.unregister(d);
    this.#served.delete(name);
    this.#servedSpec.delete(name);
    this.#accepted.delete(name);
  }

  /** Registers the CRD's versions (synchronously, so they serve at once) and queues its status. */
  #sync(obj: KubeObject): void {
    const crd = readCrd(obj);
    const taken = [...this.#accepted]
      .filter(([n, a]) => n !== crd.name && a.group === crd.group)
      .map(([, a]) => a.names);
    const conflict = namesConflict(crd.names, taken);
    if (conflict) {
      // Names once accepted stay served until the conflict is resolved.
      if (!this.#accepted.has(crd.name)) this.#unserve(crd.name);
    } else {
      this.#serve(crd, JSON.stringify(obj['spec'] ?? null));
    }
    if (isTerminating(obj) && (obj.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
      this.#enqueue(() => this.#finalize(crd));
      return;
    }
    this.#enqueue(() => this.#writeStatus(crd.name));
  }

  #serve(crd: CrdInfo, specKey: string): void {
    if (this.#servedSpec.get(crd.name) === specKey) return;
    const defs = definitionsFor(crd).filter((d) => {
      const existing = this.#registry.lookup(d.group, d.version, d.resource);
      // Never shadow a built-in resource or another CRD's.
      return !existing || existing.custom?.crd === crd.name;
    });
    const before = this.#served.get(crd.name) ?? [];
    for (const d of before) this.#registry.unregister(d);
    for (const d of defs) this.#registry.register(d);
    this.#served.set(crd.name, defs);
    this.#servedSpec.set(crd.name, specKey);
    this.#accepted.set(crd.name, { group: crd.group, names: crd.names });
  }

  /** The status the naming and establishing controllers want for the stored CRD. */
  #desiredStatus(obj: KubeObject): JsonObject {
    const crd = readCrd(obj);
    const status = statusOf(obj);
    const now = rfc3339(this.#clock.now());
    const ok = this.#accepted.has(crd.name);
    const taken = [...this.#accepted]
      .filter(([n, a]) => n !== crd.name && a.group === crd.group)
      .map(([, a]) => a.names);
    const conflict = namesConflict(crd.names, taken);
    let conditions = conditionsOf(status);
    conditions = setCondition(
      conditions,
      conflict ?? {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
      },
      now,
    );
    conditions = setCondition(
      conditions,
      ok
        ? {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          }
        : {
            type: 'Established',
            status: 'False',
            reason: 'NotAccepted',
            message: 'not all names are accepted',
          },
      now,
    );
    const acceptedNames = ok ? accepted(this.#accepted.get(crd.name)?.names ?? crd.names) : {};
    return {
      ...status,
      conditions,
      acceptedNames: ok ? acceptedNames : (status['acceptedNames'] ?? { plural: '', kind: '' }),
      storedVersions: storedVersions(status, crd),
    };
  }

  async #writeStatus(name: string): Promise<void> {
    const key = `${CRD_PREFIX}${name}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = this.#store.get(key);
      if (!stored) return;
      const desired = this.#desiredStatus(stored.object);
      if (isDeepStrictEqual(desired, stored.object['status'])) return;
      const next: KubeObject = { ...cloneJson(stored.object), status: desired };
      try {
        await this.#store.update(key, next, { expectedRevision: stored.modRevision });
        return;
      } catch {
        // Someone else wrote the CRD in between: read again.
      }
    }
  }

  async #deleteInstances(crd: CrdInfo): Promise<void> {
    const prefix = `/${crd.names.plural}.${crd.group}/`;
    if (crd.names.plural === '' || crd.group === '') return;
    // Another CRD may now serve the same resource (re-created under the same name).
    if (this.#served.has(crd.name)) return;
    for (const item of this.#store.list(prefix).items) {
      try {
        await this.#store.delete(item.key);
      } catch {
        // Already gone.
      }
    }
  }

  /** The finalizer's work: delete every instance, then release the CRD. */
  async #finalize(crd: CrdInfo): Promise<void> {
    const key = `${CRD_PREFIX}${crd.name}`;
    await this.#setTerminating(key);
    const prefix = `/${crd.names.plural}.${crd.group}/`;
    for (const item of this.#store.list(prefix).items) {
      try {
        await this.#store.delete(item.key);
      } catch {
        // Already gone.
      }
    }
    const stored = this.#store.get(key);
    if (!stored) return;
    const finalizers = (stored.object.metadata.finalizers ?? []).filter(
      (f) => f !== CLEANUP_FINALIZER,
    );
    if (finalizers.length === 0) {
      await this.#store.delete(key, { expectedRevision: stored.modRevision });
      return;
    }
    const next = cloneJson(stored.object);
    next.metadata.finalizers = finalizers;
    await this.#store.update(key, next, { expectedRevision: stored.modRevision });
  }

  async #setTerminating(key: string): Promise<void> {
    const stored = this.#store.get(key);
    if (!stored) return;
    const status = statusOf(stored.object);
    const current = conditionsOf(status).find((c) => c['type'] === 'Terminating');
    if (current?.['reason'] === 'InstanceDeletionInProgress') return;
    const conditions = setCondition(
      conditionsOf(status),
      {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionInProgress',
        message: 'CustomResource deletion is in progress',
      },
      rfc3339(this.#clock.now()),
    );
    const next: KubeObject = {
      ...cloneJson(stored.object),
      status: { ...status, conditions } satisfies Record<string, JsonValue>,
    };
    await this.#store.update(key, next, { expectedRevision: stored.modRevision });
  }
}

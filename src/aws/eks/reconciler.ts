import { StoreConflictError, StoreNotFoundError } from '../../store/index.ts';
import { toError } from '../../util/index.ts';
import { activateCluster, removeCluster } from './clusters.ts';
import type { EksContext } from './context.ts';
import { roleHealth } from './fargate-profiles.ts';
import {
  asRecord,
  eksKeys,
  withResource,
  type Cluster,
  type EksRecord,
  type FargateProfile,
  type Nodegroup,
  type UpdateRecordBody,
} from './model.ts';
import { reconcileNodes } from './nodegroups.ts';

/** The region segment of `/eks/<region>/…`. */
function regionOf(key: string): string {
  return key.split('/')[2] ?? '';
}

interface Due {
  readonly key: string;
  readonly revision: number;
  readonly region: string;
  readonly record: EksRecord<unknown>;
}

type Step = (ctx: EksContext, due: Due) => Promise<void>;

/** Replaces the record only if nobody changed it since it was read. */
async function save<T>(ctx: EksContext, due: Due, next: EksRecord<T>): Promise<void> {
  await ctx.store.update(due.key, next, { expectedRevision: due.revision });
}

function typed<T>(due: Due): EksRecord<T> {
  // SAFETY: the step table dispatches on the record's kind, which fixes its resource type.
  return due.record as EksRecord<T>;
}

const clusterCreate: Step = async (ctx, due) => {
  const rec = typed<Cluster>(due);
  const cluster = await activateCluster(ctx, due.region, rec.resource);
  await save(ctx, due, withResource(rec, cluster, undefined));
};

const clusterDelete: Step = async (ctx, due) => {
  await removeCluster(ctx, due.region, typed<Cluster>(due).resource);
};

const profileCreate: Step = async (ctx, due) => {
  const rec = typed<FargateProfile>(due);
  const issues = await roleHealth(ctx, rec.resource);
  await save(
    ctx,
    due,
    withResource(rec, { ...rec.resource, status: 'ACTIVE', health: { issues } }, undefined),
  );
};

const profileDelete: Step = async (ctx, due) => {
  const p = typed<FargateProfile>(due).resource;
  await ctx.onProfileDeleted?.({
    region: due.region,
    cluster: p.clusterName,
    profile: p.fargateProfileName,
  });
  await ctx.store.delete(due.key, { expectedRevision: due.revision });
};

const nodegroupCreate: Step = async (ctx, due) => {
  const rec = typed<Nodegroup>(due);
  await reconcileNodes(ctx, { region: due.region, nodegroup: rec.resource, deleting: false });
  const nodegroup = { ...rec.resource, status: 'ACTIVE', modifiedAt: ctx.clock.now() / 1000 };
  await save(ctx, due, withResource(rec, nodegroup, undefined));
};

const nodegroupDelete: Step = async (ctx, due) => {
  const ng = typed<Nodegroup>(due).resource;
  await reconcileNodes(ctx, { region: due.region, nodegroup: ng, deleting: true });
  for (const u of ctx.store.list(eksKeys.updates(due.region, ng.clusterName)).items) {
    if (asRecord<UpdateRecordBody>(u.object).resource.nodegroupName === ng.nodegroupName) {
      await ctx.store.delete(u.key);
    }
  }
  await ctx.store.delete(due.key, { expectedRevision: due.revision });
};

/** Applies a finished update to its cluster or node group, which becomes ACTIVE again. */
const updateComplete: Step = async (ctx, due) => {
  const rec = typed<UpdateRecordBody>(due);
  const body = rec.resource;
  const targetKey =
    body.nodegroupName === undefined
      ? eksKeys.cluster(due.region, body.clusterName)
      : eksKeys.nodegroup(due.region, body.clusterName, body.nodegroupName);
  const stored = ctx.store.get(targetKey);
  if (stored) {
    const target = asRecord<Record<string, unknown>>(stored.object);
    const patched = { ...target.resource, ...body.patch, status: 'ACTIVE' };
    if (body.nodegroupName !== undefined) {
      // SAFETY: a node-group update's target is a node group record.
      const nodegroup = patched as unknown as Nodegroup;
      await reconcileNodes(ctx, { region: due.region, nodegroup, deleting: false });
    }
    await ctx.store.update(targetKey, withResource(target, patched, target.pending), {
      expectedRevision: stored.modRevision,
    });
  }
  const update = { ...body.update, status: 'Successful' };
  await save(ctx, due, withResource(rec, { ...body, update }, undefined));
};

const STEPS: Readonly<Record<string, Step>> = {
  'EksCluster/create': clusterCreate,
  'EksCluster/delete': clusterDelete,
  'EksFargateProfile/create': profileCreate,
  'EksFargateProfile/delete': profileDelete,
  'EksNodegroup/create': nodegroupCreate,
  'EksNodegroup/delete': nodegroupDelete,
  'EksUpdate/complete': updateComplete,
};

const IDLE_WAIT_MS = 60_000;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Advances EKS objects through their lifecycle. Each object carries its pending action and
 * the time it is due, so the work is level-triggered: a new reconciler over the same store
 * (after a daemon restart) finishes whatever was under way.
 */
export class EksReconciler {
  readonly #ctx: EksContext;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(ctx: EksContext, sleep?: (ms: number, signal: AbortSignal) => Promise<void>) {
    this.#ctx = ctx;
    this.#sleep = sleep ?? defaultSleep;
  }

  /**
   * Runs every action that is due now, one at a time; returns when the next one falls due
   * (epoch ms), or undefined when nothing is pending. Calls are serialised.
   */
  reconcileOnce(): Promise<number | undefined> {
    const run = this.#chain.then(() => this.#pass());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #pass(): Promise<number | undefined> {
    const ctx = this.#ctx;
    let next: number | undefined;
    for (const item of ctx.store.list('/eks/').items) {
      const record = asRecord<unknown>(item.object);
      const pending = record.pending;
      if (!pending) continue;
      if (pending.at > ctx.clock.now()) {
        next = Math.min(next ?? pending.at, pending.at);
        continue;
      }
      const retryAt = await this.#step({
        key: item.key,
        revision: item.modRevision,
        region: regionOf(item.key),
        record,
      });
      if (retryAt !== undefined) next = Math.min(next ?? retryAt, retryAt);
    }
    return next;
  }

  /** Runs one action; on failure records the error and returns when to retry. */
  async #step(due: Due): Promise<number | undefined> {
    const ctx = this.#ctx;
    const pending = due.record.pending;
    const step = pending ? STEPS[`${due.record.kind}/${pending.action}`] : undefined;
    if (!step || !pending) return undefined;
    try {
      await step(ctx, due);
      return undefined;
    } catch (e: unknown) {
      // Someone else changed or removed the object first; the next pass sees the new state.
      if (e instanceof StoreConflictError || e instanceof StoreNotFoundError)
        return ctx.clock.now();
      const at = ctx.clock.now() + ctx.delays.retry;
      const current = ctx.store.get(due.key);
      if (current?.modRevision === due.revision) {
        await ctx.store.update(
          due.key,
          withResource(due.record, due.record.resource, {
            ...pending,
            at,
            lastError: toError(e).message,
          }),
          { expectedRevision: due.revision },
        );
      }
      return at;
    }
  }

  /** Reconciles until the signal aborts, waking on EKS store changes and when work falls due. */
  async run(signal: AbortSignal): Promise<void> {
    const ctx = this.#ctx;
    // Held in an object: the watch callback changes it between awaits.
    const state: { dirty: boolean; wake: (() => void) | undefined } = {
      dirty: true,
      wake: undefined,
    };
    ctx.store.watch('/eks/', { fromRevision: ctx.store.revision(), signal }, () => {
      state.dirty = true;
      state.wake?.();
    });
    // A function, so the checks after the await are not narrowed away by the assignments.
    const rescan = (): boolean => state.dirty || signal.aborted;
    while (!signal.aborted) {
      state.dirty = false;
      const next = await this.reconcileOnce();
      if (rescan()) continue;
      const wait =
        next === undefined
          ? IDLE_WAIT_MS
          : Math.min(IDLE_WAIT_MS, Math.max(0, next - ctx.clock.now()));
      const waiter = new AbortController();
      const stop = (): void => {
        waiter.abort();
      };
      signal.addEventListener('abort', stop, { once: true });
      state.wake = stop;
      try {
        await this.#sleep(wait, waiter.signal);
      } finally {
        state.wake = undefined;
        signal.removeEventListener('abort', stop);
      }
    }
  }
}

import type { KubeObject } from '../api/index.ts';
import { isNotFound, type KubeClient } from '../client/index.ts';
import {
  controllerOf,
  controllerRef,
  matchesSelector,
  type LabelSelector,
} from './deployment-objects.ts';

export interface ClaimOptions {
  readonly client: KubeClient;
  readonly owner: KubeObject;
  /** The owner's path, read again before adopting (RecheckDeletionTimestamp). */
  readonly ownerPath: string;
  readonly selector: LabelSelector;
  /** An extra test an object must pass to be adopted or kept (the sts name pattern). */
  readonly filter?: (obj: KubeObject) => boolean;
  readonly pathOf: (obj: KubeObject) => string;
}

/**
 * controller.ControllerRefManager for pods and ControllerRevisions: keeps what the owner controls
 * and still matches, releases what it controls but no longer matches, adopts matching orphans
 * while the owner is live. Returns the objects the owner controls afterwards.
 */
export async function claimObjects(
  opts: ClaimOptions,
  objects: readonly KubeObject[],
): Promise<KubeObject[]> {
  const { claimed, adoptable, toRelease } = sortClaims(opts, objects);
  const live = opts.owner.metadata.deletionTimestamp === undefined;
  if (!live) return claimed;
  for (const obj of toRelease) await release(opts, obj);
  // As upstream's RecheckDeletionTimestamp: adopt only for an owner that is live now.
  if (adoptable.length === 0 || !(await stillLive(opts))) return claimed;
  for (const obj of adoptable) {
    const adopted = await adopt(opts, obj);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

function sortClaims(
  opts: ClaimOptions,
  objects: readonly KubeObject[],
): { claimed: KubeObject[]; adoptable: KubeObject[]; toRelease: KubeObject[] } {
  const claimed: KubeObject[] = [];
  const adoptable: KubeObject[] = [];
  const toRelease: KubeObject[] = [];
  for (const obj of objects) {
    const ref = controllerOf(obj);
    const matches = matchesClaim(opts, obj);
    if (ref === undefined) {
      if (matches && obj.metadata.deletionTimestamp === undefined) adoptable.push(obj);
    } else if (ref.uid === opts.owner.metadata.uid) {
      (matches ? claimed : toRelease).push(obj);
    }
  }
  return { claimed, adoptable, toRelease };
}

function matchesClaim(opts: ClaimOptions, obj: KubeObject): boolean {
  return matchesSelector(opts.selector, obj.metadata.labels) && (opts.filter?.(obj) ?? true);
}

async function stillLive(opts: ClaimOptions): Promise<boolean> {
  try {
    const fresh = await opts.client.get(opts.ownerPath);
    return (
      fresh.metadata.uid === opts.owner.metadata.uid &&
      fresh.metadata.deletionTimestamp === undefined
    );
  } catch (e: unknown) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

async function adopt(opts: ClaimOptions, obj: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await opts.client.patch(opts.pathOf(obj), {
      metadata: {
        ownerReferences: [...(obj.metadata.ownerReferences ?? []), controllerRef(opts.owner)],
        resourceVersion: obj.metadata.resourceVersion,
      },
    });
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function release(opts: ClaimOptions, obj: KubeObject): Promise<void> {
  const rest = (obj.metadata.ownerReferences ?? []).filter(
    (r) => r.uid !== opts.owner.metadata.uid,
  );
  try {
    await opts.client.patch(opts.pathOf(obj), {
      metadata: {
        ownerReferences: rest.length === 0 ? null : rest,
        resourceVersion: obj.metadata.resourceVersion,
      },
    });
  } catch (e: unknown) {
    if (!isNotFound(e)) throw e;
  }
}

import type { Store } from '../../store/index.ts';
import { asRecord, eksKeys, type FargateProfile } from './model.ts';

/**
 * The read side other parts of Kiln use (the Fargate webhook and scheduler). Profiles live at
 * `eksKeys.profile(region, cluster, name)` as EksRecords; watch `eksKeys.profiles(region,
 * cluster)` to follow them.
 */
export function fargateProfiles(store: Store, region: string, cluster: string): FargateProfile[] {
  return store
    .list(eksKeys.profiles(region, cluster))
    .items.map((s) => asRecord<FargateProfile>(s.object).resource);
}

/** The profiles of a cluster that can take new pods. */
export function activeFargateProfiles(
  store: Store,
  region: string,
  cluster: string,
): FargateProfile[] {
  return fargateProfiles(store, region, cluster).filter((p) => p.status === 'ACTIVE');
}

/**
 * Calls `onChange` with the cluster's profiles now and after every change to them, until the
 * signal aborts.
 */
export function watchFargateProfiles(
  store: Store,
  opts: { readonly region: string; readonly cluster: string; readonly signal: AbortSignal },
  onChange: (profiles: FargateProfile[]) => void,
): void {
  const prefix = eksKeys.profiles(opts.region, opts.cluster);
  const fromRevision = store.revision();
  onChange(fargateProfiles(store, opts.region, opts.cluster));
  store.watch(prefix, { fromRevision, signal: opts.signal }, () => {
    onChange(fargateProfiles(store, opts.region, opts.cluster));
  });
}

import { CliError, type FargateSelector } from './config-file.ts';
import type { KubeResponse } from './kube.ts';

const NAMESPACE = 'kube-system';
const NAME = 'coredns';
const COMPUTE_TYPE = 'eks.amazonaws.com/compute-type';
const DEPLOYMENT = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${NAME}`;
const PODS = `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(
  `eks.amazonaws.com/component=${NAME}`,
)}`;

/** A Kubernetes API call (the cluster's endpoint and credentials are bound in). */
export type KubeCall = (r: {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}) => Promise<KubeResponse>;

export interface CorednsContext {
  readonly kube: KubeCall;
  readonly info: (message: string) => void;
  readonly warn: (message: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly timeoutMs: number;
}

/** Whether eksctl would move CoreDNS: a selector on kube-system, unlabelled or for coredns. */
export function selectsCoredns(
  profiles: readonly { readonly selectors: readonly FargateSelector[] }[],
): boolean {
  return profiles.some((p) =>
    p.selectors.some(
      (s) =>
        s.namespace === NAMESPACE &&
        (Object.keys(s.labels).length === 0 || s.labels['eks.amazonaws.com/component'] === NAME),
    ),
  );
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {};
const at = (v: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((cur, key) => obj(cur)[key], v);

function failed(what: string, r: KubeResponse): CliError {
  const message = at(r.body, 'message');
  return new CliError(
    `${what}: ${typeof message === 'string' ? message : `HTTP ${String(r.status)}`}`,
  );
}

async function deploymentOnFargate(ctx: CorednsContext): Promise<boolean> {
  const r = await ctx.kube({ method: 'GET', path: DEPLOYMENT });
  if (r.status !== 200) throw failed(`getting deployment ${JSON.stringify(NAME)}`, r);
  const replicas = at(r.body, 'spec', 'replicas');
  if (typeof replicas !== 'number') throw new CliError('nil spec.replicas in coredns deployment');
  const ready = at(r.body, 'status', 'readyReplicas') ?? 0;
  const scheduled =
    at(r.body, 'spec', 'template', 'metadata', 'annotations', COMPUTE_TYPE) === 'fargate' &&
    replicas === ready;
  if (scheduled) ctx.info(`${JSON.stringify(NAME)} is now scheduled onto Fargate`);
  return scheduled;
}

function runsOnFargate(pod: unknown): boolean {
  const node = at(pod, 'spec', 'nodeName');
  return (
    at(pod, 'metadata', 'annotations', COMPUTE_TYPE) === 'fargate' &&
    at(pod, 'status', 'phase') === 'Running' &&
    typeof node === 'string' &&
    node.startsWith('fargate-')
  );
}

async function podsOnFargate(ctx: CorednsContext): Promise<boolean> {
  const r = await ctx.kube({ method: 'GET', path: PODS });
  if (r.status !== 200) throw failed('listing coredns pods', r);
  const items = at(r.body, 'items');
  if (Array.isArray(items) && !items.every(runsOnFargate)) return false;
  ctx.info(`${JSON.stringify(NAME)} pods are now scheduled onto Fargate`);
  return true;
}

/** eksctl's IsScheduledOnFargate: the deployment asks for Fargate and every pod runs there. */
async function scheduledOnFargate(ctx: CorednsContext): Promise<boolean> {
  const deployment = await deploymentOnFargate(ctx);
  const pods = await podsOnFargate(ctx);
  return deployment && pods;
}

async function patchToFargate(ctx: CorednsContext): Promise<void> {
  const r = await ctx.kube({
    method: 'PATCH',
    path: DEPLOYMENT,
    contentType: 'application/merge-patch+json',
    body: { spec: { template: { metadata: { annotations: { [COMPUTE_TYPE]: 'fargate' } } } } },
  });
  const prefix = `failed to make ${JSON.stringify(NAME)} deployment schedulable on Fargate`;
  if (r.status !== 200) throw failed(`${prefix}: failed to patch deployment`, r);
  const value = at(r.body, 'spec', 'template', 'metadata', 'annotations', COMPUTE_TYPE);
  if (value === undefined) {
    throw new CliError(
      `${prefix}: could not find annotation ${JSON.stringify(COMPUTE_TYPE)} on patched deployment ${JSON.stringify(NAME)}: patching must have failed`,
    );
  }
  if (value !== 'fargate') {
    throw new CliError(
      `${prefix}: unexpected value ${JSON.stringify(value)} for annotation ${JSON.stringify(COMPUTE_TYPE)} on ${JSON.stringify(NAME)} patched deployment`,
    );
  }
  ctx.info(`${JSON.stringify(NAME)} is now schedulable onto Fargate`);
}

/**
 * eksctl's ScheduleCoreDNSOnFargateIfRelevant: when a profile selects CoreDNS and it does not
 * run on Fargate yet, merge-patch the pod template's compute-type annotation to `fargate`
 * (which rolls the pods) and wait, backing off, until every CoreDNS pod runs on a `fargate-`
 * node. A cluster without the coredns Deployment is left alone with a warning.
 */
export async function scheduleCorednsOnFargate(
  ctx: CorednsContext,
  profiles: readonly { readonly selectors: readonly FargateSelector[] }[],
): Promise<void> {
  if (!selectsCoredns(profiles)) return;
  const probe = await ctx.kube({ method: 'GET', path: DEPLOYMENT });
  if (probe.status === 404) {
    ctx.warn(
      `deployment ${JSON.stringify(NAME)} not found in namespace ${JSON.stringify(NAMESPACE)}; skipping scheduling it onto Fargate`,
    );
    return;
  }
  if (await scheduledOnFargate(ctx)) return;
  await patchToFargate(ctx);
  const deadline = ctx.now() + ctx.timeoutMs;
  for (let delay = 1000; ctx.now() < deadline; delay = Math.min(delay * 2, 8000)) {
    if (await scheduledOnFargate(ctx)) return;
    await ctx.sleep(Math.min(delay, Math.max(0, deadline - ctx.now())));
  }
  throw new CliError(
    `timed out while waiting for ${JSON.stringify(NAME)} to be scheduled on Fargate`,
  );
}

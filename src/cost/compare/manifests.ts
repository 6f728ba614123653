import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { KilnError } from '../../util/index.ts';

export class CostCompareError extends KilnError {
  readonly code = 'KILN_COST_COMPARE_INPUT';
}

/** A workload found in the manifests, reduced to what costing needs. */
export interface Workload {
  kind: string;
  namespace: string;
  name: string;
  /** Pods the manifest asks for (DaemonSets: per node, so 1). */
  replicas: number;
  /** Whether `--replicas` scales it (bare Pods and DaemonSets stay as they are). */
  scalable: boolean;
  /** Runs one pod on every node instead of `replicas` pods. */
  perNode: boolean;
  pod: Pod;
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface KindRule {
  /** Where the replica count lives in `spec`, if anywhere. */
  replicasField?: string;
  scalable: boolean;
  perNode: boolean;
}

/** The kinds that make pods, keyed by kind; anything else in the manifests is skipped. */
const KINDS: Readonly<Record<string, KindRule>> = {
  Deployment: { replicasField: 'replicas', scalable: true, perNode: false },
  StatefulSet: { replicasField: 'replicas', scalable: true, perNode: false },
  ReplicaSet: { replicasField: 'replicas', scalable: true, perNode: false },
  Job: { replicasField: 'parallelism', scalable: true, perNode: false },
  DaemonSet: { scalable: false, perNode: true },
  Pod: { scalable: false, perNode: false },
};

function templateOf(doc: Plain, kind: string): PodTemplateSpec | undefined {
  // A Pod document is its own template: metadata and spec sit in the same places.
  if (kind === 'Pod') return doc;
  const spec = doc['spec'];
  const template = isPlain(spec) ? spec['template'] : undefined;
  return isPlain(template) ? template : undefined;
}

function replicasOf(doc: Plain, rule: KindRule): number {
  const spec = doc['spec'];
  if (rule.replicasField === undefined || !isPlain(spec)) return 1;
  const n = spec[rule.replicasField];
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1;
}

function workloadOf(doc: Plain, where: string): Workload | undefined {
  const kind = typeof doc['kind'] === 'string' ? doc['kind'] : '';
  const rule = KINDS[kind];
  if (rule === undefined) return undefined;
  const meta = isPlain(doc['metadata']) ? doc['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const template = templateOf(doc, kind);
  if (name === '' || template === undefined || !isPlain(template.spec)) {
    throw new CostCompareError(`${where}: ${kind} needs metadata.name and a pod spec`);
  }
  return {
    kind,
    namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default',
    name,
    replicas: replicasOf(doc, rule),
    scalable: rule.scalable,
    perNode: rule.perNode,
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: template.metadata ?? {}, spec: template.spec },
  };
}

/** The workloads in a multi-document YAML (or JSON) text; `file` names it in errors. */
export function parseWorkloads(text: string, file: string): Workload[] {
  const out: Workload[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new CostCompareError(`${file}: document ${i + 1}: ${doc.errors[0]?.message ?? ''}`);
    }
    const value: unknown = doc.toJS();
    const items = isPlain(value) && Array.isArray(value['items']) ? value['items'] : [value];
    for (const item of items) {
      if (!isPlain(item)) continue;
      const w = workloadOf(item, `${file}: document ${i + 1}`);
      if (w) out.push(w);
    }
  }
  return out;
}

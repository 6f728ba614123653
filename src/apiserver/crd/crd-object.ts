import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../../api/index.ts';
import type { CustomResourceColumnDefinition } from '../table/types.ts';
import type { Schema } from './schema-validate.ts';

/** A CustomResourceDefinition (apiextensions.k8s.io/v1) read leniently from its JSON. */

export const CRD_GROUP = 'apiextensions.k8s.io';
export const CRD_RESOURCE = 'customresourcedefinitions';
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export interface CrdNames {
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
}

export interface CrdScale {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly schema?: Schema;
  readonly status: boolean;
  readonly scale?: CrdScale;
  readonly printerColumns: readonly CustomResourceColumnDefinition[];
}

export interface CrdInfo {
  readonly name: string;
  readonly group: string;
  readonly namespaced: boolean;
  readonly names: CrdNames;
  readonly versions: readonly CrdVersion[];
}

function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** Names as given, with upstream's defaults for singular and listKind. */
export function readNames(v: JsonValue | undefined): CrdNames {
  const n = obj(v);
  const kind = str(n['kind']);
  return {
    plural: str(n['plural']),
    singular: str(n['singular']) || kind.toLowerCase(),
    kind,
    listKind: str(n['listKind']) || (kind === '' ? '' : `${kind}List`),
    shortNames: strings(n['shortNames']),
    categories: strings(n['categories']),
  };
}

function readColumn(v: JsonValue): CustomResourceColumnDefinition[] {
  if (!isJsonObject(v)) return [];
  const col: CustomResourceColumnDefinition = {
    name: str(v['name']),
    type: str(v['type']),
    jsonPath: str(v['jsonPath']),
  };
  if (typeof v['format'] === 'string') col.format = v['format'];
  if (typeof v['description'] === 'string') col.description = v['description'];
  if (typeof v['priority'] === 'number') col.priority = v['priority'];
  return [col];
}

function readScale(v: JsonValue | undefined): CrdScale | undefined {
  if (!isJsonObject(v)) return undefined;
  const label = v['labelSelectorPath'];
  return {
    specReplicasPath: str(v['specReplicasPath']),
    statusReplicasPath: str(v['statusReplicasPath']),
    ...(typeof label === 'string' ? { labelSelectorPath: label } : {}),
  };
}

function readVersion(v: JsonValue): CrdVersion[] {
  if (!isJsonObject(v)) return [];
  const subs = obj(v['subresources']);
  const schema = obj(v['schema'])['openAPIV3Schema'];
  const scale = readScale(subs['scale']);
  const columns = v['additionalPrinterColumns'];
  return [
    {
      name: str(v['name']),
      served: v['served'] === true,
      storage: v['storage'] === true,
      ...(isJsonObject(schema) ? { schema } : {}),
      status: isJsonObject(subs['status']),
      ...(scale ? { scale } : {}),
      printerColumns: Array.isArray(columns) ? columns.flatMap(readColumn) : [],
    },
  ];
}

export function readCrd(crd: KubeObject): CrdInfo {
  const spec = isJsonObject(crd['spec']) ? crd['spec'] : {};
  const versions = spec['versions'];
  return {
    name: crd.metadata.name ?? '',
    group: str(spec['group']),
    namespaced: spec['scope'] !== 'Cluster',
    names: readNames(spec['names']),
    versions: Array.isArray(versions) ? versions.flatMap(readVersion) : [],
  };
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function versionRank(v: string): [number, number, number] | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

/**
 * Kube-aware version order, highest priority first: GA before beta before alpha, higher numbers
 * first, then versions that do not look like Kubernetes versions in lexical order.
 */
export function compareVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  if (ra && rb) {
    for (let i = 0; i < 3; i++) {
      const d = (rb[i] ?? 0) - (ra[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `.spec.replicas` → `['spec', 'replicas']`, the form ScaleSpec paths take. */
export function pathSegments(jsonPath: string): string[] {
  return jsonPath.split('.').filter((p) => p !== '');
}

import { parse } from 'yaml';
import { KilnError } from '../../util/index.ts';

/** A user-facing CLI error: printed as eksctl prints errors (`Error: <message>`), exit 1. */
export class CliError extends KilnError {
  readonly code = 'KILN_CLI_USAGE';
}

export interface FargateSelector {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface FargateProfileConfig {
  readonly name: string;
  readonly podExecutionRoleARN: string;
  readonly selectors: readonly FargateSelector[];
  readonly subnets: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** A `managedNodeGroups[]` entry; unset sizes are left to eksctl's defaults. */
export interface ManagedNodeGroupConfig {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly desiredCapacity?: number;
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly volumeSize?: number;
  readonly amiFamily: string;
  readonly privateNetworking: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** The parts of an eksctl.io/v1alpha5 ClusterConfig Kiln reads. */
export interface ClusterConfig {
  readonly name: string;
  readonly region: string;
  /** `metadata.version`; empty for eksctl's default. */
  readonly version: string;
  /** `vpc.cidr`; empty for eksctl's default. */
  readonly vpcCidr: string;
  readonly fargateProfiles: readonly FargateProfileConfig[];
  readonly managedNodeGroups: readonly ManagedNodeGroupConfig[];
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A field by name, ignoring case: eksctl decodes YAML through Go's encoding/json, whose field
 * matching is case-insensitive, so the seed's `podExecutionRoleArn` sets `podExecutionRoleARN`.
 */
function field(obj: Loose, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function text(obj: Loose, name: string): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new CliError(`couldn't parse config file: field ${name}: expected a string`);
}

function stringMap(obj: Loose, name: string): Record<string, string> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new CliError(`couldn't parse config file: field ${name}: expected a map`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function list(obj: Loose, name: string): unknown[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw new CliError(`couldn't parse config file: field ${name}: expected a list`);
  return v;
}

function selectorOf(raw: unknown): FargateSelector {
  const s = isObject(raw) ? raw : {};
  return { namespace: text(s, 'namespace'), labels: stringMap(s, 'labels') };
}

function profileOf(raw: unknown): FargateProfileConfig {
  const p = isObject(raw) ? raw : {};
  return {
    name: text(p, 'name'),
    podExecutionRoleARN: text(p, 'podExecutionRoleARN'),
    selectors: list(p, 'selectors').map(selectorOf),
    subnets: list(p, 'subnets').map(String),
    tags: stringMap(p, 'tags'),
  };
}

function count(obj: Loose, name: string): Record<string, number> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new CliError(`couldn't parse config file: field ${name}: expected an integer`);
  }
  return { [name]: v };
}

function managedNodeGroupOf(raw: unknown): ManagedNodeGroupConfig {
  const n = isObject(raw) ? raw : {};
  const single = text(n, 'instanceType');
  const many = list(n, 'instanceTypes').map(String);
  return {
    name: text(n, 'name'),
    instanceTypes: many.length > 0 ? many : single === '' ? [] : [single],
    ...count(n, 'desiredCapacity'),
    ...count(n, 'minSize'),
    ...count(n, 'maxSize'),
    ...count(n, 'volumeSize'),
    amiFamily: text(n, 'amiFamily'),
    privateNetworking: field(n, 'privateNetworking') === true,
    labels: stringMap(n, 'labels'),
    tags: stringMap(n, 'tags'),
  };
}

/** eksctl's Fargate profile checks (pkg/apis/eksctl.io/v1alpha5 validation), in its words. */
export function validateFargateProfile(p: FargateProfileConfig): void {
  const bad = (why: string): CliError =>
    new CliError(`invalid Fargate profile ${JSON.stringify(p.name)}: ${why}`);
  if (p.name === '') throw bad('empty name');
  if (p.name.startsWith('eks-')) throw bad('name should NOT start with "eks-"');
  if (p.selectors.length === 0) throw bad('no profile selector');
  p.selectors.forEach((s, i) => {
    if (s.namespace === '')
      throw bad(`invalid profile selector at index #${String(i)}: empty namespace`);
  });
}

/** Parses and validates a ClusterConfig file's text. */
export function parseClusterConfig(source: string): ClusterConfig {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (e: unknown) {
    throw new CliError(
      `couldn't parse config file: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`,
    );
  }
  if (!isObject(doc)) throw new CliError("couldn't parse config file: not a ClusterConfig");
  const apiVersion = text(doc, 'apiVersion');
  const kind = text(doc, 'kind');
  if (apiVersion !== 'eksctl.io/v1alpha5' || kind !== 'ClusterConfig') {
    throw new CliError(
      `loading config file: expected apiVersion "eksctl.io/v1alpha5" and kind "ClusterConfig", got ${JSON.stringify(apiVersion)} and ${JSON.stringify(kind)}`,
    );
  }
  const meta = field(doc, 'metadata');
  const m = isObject(meta) ? meta : {};
  const name = text(m, 'name');
  if (name === '') throw new CliError('metadata.name must be set');
  const vpc = field(doc, 'vpc');
  const config: ClusterConfig = {
    name,
    region: text(m, 'region'),
    version: text(m, 'version'),
    vpcCidr: isObject(vpc) ? text(vpc, 'cidr') : '',
    fargateProfiles: list(doc, 'fargateProfiles').map(profileOf),
    managedNodeGroups: list(doc, 'managedNodeGroups').map(managedNodeGroupOf),
  };
  config.fargateProfiles.forEach(validateFargateProfile);
  return config;
}

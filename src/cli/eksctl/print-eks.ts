import type { Cluster, Nodegroup } from '@aws-sdk/client-eks';
import { stringify } from 'yaml';
import { CliError } from './config-file.ts';
import { tabwrite } from './print.ts';

/** `get cluster` without a name: eksctl's cluster.Description. */
export interface ClusterSummary {
  readonly Name: string;
  readonly Region: string;
  /** `True`, `False` or `Unknown`. */
  readonly Owned: string;
}

/** `get nodegroup`: eksctl's nodegroup.Summary, fields in struct order. */
export interface NodegroupSummary {
  readonly StackName: string;
  readonly Cluster: string;
  readonly Name: string;
  readonly Status: string;
  readonly MaxSize: number;
  readonly MinSize: number;
  readonly DesiredCapacity: number;
  readonly InstanceType: string;
  readonly ImageID: string;
  readonly CreationTime: string;
  readonly NodeInstanceRoleARN: string;
  readonly AutoScalingGroupName: string;
  readonly Version: string;
  readonly Type: string;
}

const goLess = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * eksctl's TablePrinter (kops' tables.Table): a header, then the rows sorted by every column
 * in turn (byte order), tab-padded; `No <kind> found` when empty.
 */
export function table(kind: string, header: readonly string[], rows: string[][]): string {
  if (rows.length === 0) return `No ${kind.toLowerCase()} found\n`;
  const sorted = [...rows].sort((l, r) => {
    for (let k = 0; k < l.length; k++) {
      const c = goLess(l[k] ?? '', r[k] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
  return tabwrite([header, ...sorted]);
}

/** `-o json|yaml` as eksctl's JSON (4-space MarshalIndent) and YAML (sorted keys) printers. */
export function structured(items: unknown, output: string): string {
  if (output === 'json') return `${JSON.stringify(items, null, 4)}\n`;
  if (output === 'yaml') return stringify(items, { sortMapEntries: true, indentSeq: false });
  throw new CliError(
    `unknown output printer type: expected {"yaml","json","table"} but got ${JSON.stringify(output)}`,
  );
}

/** Go's time.RFC3339 in UTC: no fractional seconds. */
export const rfc3339 = (d: Date | undefined): string =>
  d === undefined ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function printClusterSummaries(list: readonly ClusterSummary[], output: string): string {
  if (output !== 'table') return structured(list, output);
  return table(
    'clusters',
    ['NAME', 'REGION', 'EKSCTL CREATED'],
    list.map((c) => [c.Name, c.Region, c.Owned]),
  );
}

const dashIfUndefined = (v: string | undefined): string => v ?? '-';

const sortedSet = (ids: readonly (string | undefined)[] | undefined): string =>
  ids === undefined
    ? '-'
    : [...new Set(ids.filter((i): i is string => i !== undefined && i !== ''))]
        .sort(goLess)
        .join(',');

/** Keys as the Go SDK's structs name them (PascalCase), fields in alphabetical order. */
function goShape(v: unknown): unknown {
  if (v instanceof Date) return rfc3339(v);
  if (Array.isArray(v)) return v.map(goShape);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]): [string, unknown] => [k.charAt(0).toUpperCase() + k.slice(1), goShape(x)])
      .sort(([a], [b]) => goLess(a, b)),
  );
}

/** `get cluster --name N`: eksctl's single-cluster table, or the cluster object. */
export function printCluster(c: Cluster, output: string): string {
  if (output !== 'table') return structured([goShape(c)], output);
  const vpc = c.resourcesVpcConfig;
  return table(
    'clusters',
    ['NAME', 'VERSION', 'STATUS', 'CREATED', 'VPC', 'SUBNETS', 'SECURITYGROUPS', 'PROVIDER'],
    [
      [
        dashIfUndefined(c.name),
        dashIfUndefined(c.version),
        dashIfUndefined(c.status),
        c.createdAt === undefined ? '-' : rfc3339(c.createdAt),
        vpc === undefined ? '-' : (vpc.vpcId ?? ''),
        vpc === undefined ? '-' : sortedSet(vpc.subnetIds),
        vpc === undefined ? '-' : sortedSet(vpc.securityGroupIds),
        c.connectorConfig?.provider ?? 'EKS',
      ],
    ],
  );
}

const instanceTypesOf = (ng: Nodegroup): string => {
  const types = ng.instanceTypes ?? [];
  return types.length > 0 ? types.join(',') : '-';
};

const imageIdOf = (ng: Nodegroup): string =>
  ng.amiType === 'CUSTOM' ? (ng.releaseVersion ?? '') : (ng.amiType ?? '');

const asgNamesOf = (ng: Nodegroup): string =>
  (ng.resources?.autoScalingGroups ?? []).map((a) => a.name ?? '').join(',');

/** A managed node group as eksctl summarises it (no CloudFormation stack in Kiln). */
export function nodegroupSummary(ng: Nodegroup): NodegroupSummary {
  const scaling = ng.scalingConfig ?? {};
  return {
    StackName: '',
    Cluster: ng.clusterName ?? '',
    Name: ng.nodegroupName ?? '',
    Status: ng.status ?? '',
    MaxSize: scaling.maxSize ?? 0,
    MinSize: scaling.minSize ?? 0,
    DesiredCapacity: scaling.desiredSize ?? 0,
    InstanceType: instanceTypesOf(ng),
    ImageID: imageIdOf(ng),
    CreationTime: rfc3339(ng.createdAt),
    NodeInstanceRoleARN: ng.nodeRole ?? '',
    AutoScalingGroupName: asgNamesOf(ng),
    Version: ng.version ?? '-',
    Type: 'managed',
  };
}

export function printNodegroups(list: readonly NodegroupSummary[], output: string): string {
  if (output !== 'table') return structured(list, output);
  return table(
    'nodegroups',
    [
      'CLUSTER',
      'NODEGROUP',
      'STATUS',
      'CREATED',
      'MIN SIZE',
      'MAX SIZE',
      'DESIRED CAPACITY',
      'INSTANCE TYPE',
      'IMAGE ID',
      'ASG NAME',
      'TYPE',
    ],
    list.map((s) => [
      s.Cluster,
      s.Name,
      s.Status,
      s.CreationTime,
      String(s.MinSize),
      String(s.MaxSize),
      String(s.DesiredCapacity),
      s.InstanceType,
      s.ImageID,
      s.AutoScalingGroupName,
      s.Type,
    ]),
  );
}

import { stringify } from 'yaml';
import { CliError } from './config-file.ts';

/** A Fargate profile as eksctl prints it (`get fargateprofile`). */
export interface PrintedProfile {
  readonly name: string;
  readonly podExecutionRoleARN: string;
  readonly selectors: readonly {
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
  }[];
  readonly subnets?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly status: string;
}

const TAB_WIDTH = 8;

/**
 * Go's text/tabwriter with tab padding (minwidth 0, tabwidth 8, padding 1, padchar '\t'), as
 * eksctl's table printer uses it: each cell is followed by enough tabs to reach its column's
 * width, rounded up to a multiple of 8; the last cell of a row is not padded.
 */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length + 1);
    });
  }
  const columns = widths.map((w) => Math.ceil(w / TAB_WIDTH) * TAB_WIDTH);
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const width = columns[i];
          if (i === row.length - 1 || width === undefined) return cell;
          return cell + '\t'.repeat(Math.ceil((width - cell.length) / TAB_WIDTH));
        })
        .join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}

const mapText = (m: Readonly<Record<string, string>> | undefined): string => {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
};

const listText = (l: readonly string[] | undefined): string =>
  l === undefined || l.length === 0 ? '<none>' : l.join(',');

function tableOf(profiles: readonly PrintedProfile[]): string {
  const rows = profiles.flatMap((p) =>
    p.selectors.map((s) => [
      p.name,
      s.namespace,
      mapText(s.labels),
      p.podExecutionRoleARN,
      listText(p.subnets),
      mapText(p.tags),
      p.status,
    ]),
  );
  rows.sort(
    (a, b) => (a[0] ?? '').localeCompare(b[0] ?? '') || (a[1] ?? '').localeCompare(b[1] ?? ''),
  );
  const header = [
    'NAME',
    'SELECTOR_NAMESPACE',
    'SELECTOR_LABELS',
    'POD_EXECUTION_ROLE_ARN',
    'SUBNETS',
    'TAGS',
    'STATUS',
  ];
  return tabwrite([header, ...rows]);
}

/** Field order and omitted empties as eksctl's Go structs marshal them. */
function plain(p: PrintedProfile): Record<string, unknown> {
  const hasLabels = (l: Readonly<Record<string, string>> | undefined): boolean =>
    l !== undefined && Object.keys(l).length > 0;
  return {
    name: p.name,
    podExecutionRoleARN: p.podExecutionRoleARN,
    selectors: p.selectors.map((s) => ({
      namespace: s.namespace,
      ...(hasLabels(s.labels) ? { labels: s.labels } : {}),
    })),
    ...(p.subnets && p.subnets.length > 0 ? { subnets: p.subnets } : {}),
    ...(p.tags && Object.keys(p.tags).length > 0 ? { tags: p.tags } : {}),
    status: p.status,
  };
}

/** `-o table|yaml|json` as eksctl's PrintProfiles. */
export function printProfiles(profiles: readonly PrintedProfile[], output: string): string {
  if (output === 'table') {
    return profiles.length === 0 ? 'No fargateprofiles found\n' : tableOf(profiles);
  }
  // sigs.k8s.io/yaml goes through JSON, so YAML keys come out sorted.
  if (output === 'yaml')
    return stringify(profiles.map(plain), { sortMapEntries: true, indentSeq: false });
  if (output === 'json') return `${JSON.stringify(profiles.map(plain), null, 4)}\n`;
  throw new CliError(
    `unknown output printer type: expected {"yaml","json","table"} but got ${JSON.stringify(output)}`,
  );
}

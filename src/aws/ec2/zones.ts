/**
 * The regions and Availability Zones Kiln's EC2 reports. Zone ids map letters in order
 * (`ap-northeast-2a` → `apne2-az1`); real accounts shuffle this mapping, which nothing in
 * Kiln depends on.
 */

const ZONE_COUNTS: Readonly<Record<string, number>> = {
  'us-east-1': 6,
  'us-east-2': 3,
  'us-west-1': 2,
  'us-west-2': 4,
  'ap-northeast-1': 3,
  'ap-northeast-2': 4,
  'ap-northeast-3': 3,
  'ap-southeast-1': 3,
  'ap-southeast-2': 3,
  'ap-south-1': 3,
  'ca-central-1': 3,
  'eu-central-1': 3,
  'eu-west-1': 3,
  'eu-west-2': 3,
  'eu-west-3': 3,
  'eu-north-1': 3,
  'sa-east-1': 3,
};

/** The regions DescribeRegions lists, all opt-in-not-required. */
export const REGIONS: readonly string[] = Object.keys(ZONE_COUNTS);

const DIRECTIONS: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** `ap-northeast-2` → `apne2`, the prefix of zone ids. */
export function regionAbbreviation(region: string): string {
  return region
    .split('-')
    .map((part) => DIRECTIONS[part] ?? part)
    .join('');
}

export interface Zone {
  readonly zoneName: string;
  readonly zoneId: string;
}

/** The region's zones, `<region>a` onwards; three for regions Kiln does not know. */
export function zonesOf(region: string): Zone[] {
  const count = ZONE_COUNTS[region] ?? 3;
  const abbr = regionAbbreviation(region);
  return Array.from({ length: count }, (_, i) => ({
    zoneName: `${region}${String.fromCharCode(97 + i)}`,
    zoneId: `${abbr}-az${i + 1}`,
  }));
}

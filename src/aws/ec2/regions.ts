import type { Ec2Handler } from './context.ts';
import { bool, memberList } from './params.ts';
import { checkFilterNames, matchesFilters, parseFilters } from './query.ts';
import { REGIONS, zonesOf } from './zones.ts';

const describeAvailabilityZones: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  const known = ['zone-name', 'zone-id', 'region-name', 'state', 'zone-type', 'group-name'];
  checkFilterNames(filters, known);
  const names = memberList(params, 'ZoneName');
  const ids = memberList(params, 'ZoneId');
  const zones = zonesOf(scope.region)
    .filter((z) => names.length === 0 || names.includes(z.zoneName))
    .filter((z) => ids.length === 0 || ids.includes(z.zoneId))
    .filter((z) =>
      matchesFilters(
        filters,
        (name) =>
          ({
            'zone-name': [z.zoneName],
            'zone-id': [z.zoneId],
            'region-name': [scope.region],
            state: ['available'],
            'zone-type': ['availability-zone'],
            'group-name': [scope.region],
          })[name],
        [],
      ),
    );
  return Promise.resolve({
    availabilityZoneInfo: zones.map((z) => ({
      zoneName: z.zoneName,
      zoneId: z.zoneId,
      zoneState: 'available',
      regionName: scope.region,
      groupName: scope.region,
      networkBorderGroup: scope.region,
      optInStatus: 'opt-in-not-required',
      zoneType: 'availability-zone',
      messageSet: [],
    })),
  });
};

const describeRegions: Ec2Handler = (scope, params) => {
  const names = memberList(params, 'RegionName');
  bool(params, 'AllRegions');
  const regions = REGIONS.includes(scope.region) ? REGIONS : [...REGIONS, scope.region];
  return Promise.resolve({
    regionInfo: regions
      .filter((r) => names.length === 0 || names.includes(r))
      .map((r) => ({
        regionName: r,
        regionEndpoint: `ec2.${r}.amazonaws.com`,
        optInStatus: 'opt-in-not-required',
      })),
  });
};

export const REGION_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeRegions: describeRegions,
};

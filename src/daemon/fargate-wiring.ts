import type { Ec2Service } from '../aws/ec2/index.ts';
import { fargateProfiles } from '../aws/eks/index.ts';
import {
  fargateNodeName,
  SubnetIpSource,
  type FargateIpSource,
  type FargateProfile,
  type FargateProfileSource,
} from '../fargate/index.ts';
import type { Store } from '../store/index.ts';

/** A cluster's Fargate profiles, read from the EKS service's state. */
export function eksProfileSource(
  aws: Store,
  c: { region: string; name: string },
): FargateProfileSource {
  return {
    // SAFETY: the EKS service stores profiles in DescribeFargateProfile's wire shape, which is
    // what FargateProfile describes.
    list: () => fargateProfiles(aws, c.region, c.name) as unknown as FargateProfile[],
  };
}

/**
 * Fargate pod IPs from the profile's EC2 subnets. Addresses a Fargate node of this cluster
 * already holds (after a restart) are skipped, so no two pods ever share one.
 */
export class Ec2FargateIps implements FargateIpSource {
  readonly #ec2: Ec2Service;
  readonly #region: string;
  readonly #cluster: Store;
  readonly #bySubnet = new Map<string, SubnetIpSource>();
  #turn = 0;

  constructor(o: { ec2: Ec2Service; region: string; clusterStore: Store }) {
    this.#ec2 = o.ec2;
    this.#region = o.region;
    this.#cluster = o.clusterStore;
  }

  #source(subnetId: string): SubnetIpSource | undefined {
    const known = this.#bySubnet.get(subnetId);
    if (known) return known;
    const s = this.#ec2.subnet(this.#region, subnetId);
    if (!s) return undefined;
    const made = new SubnetIpSource([
      { id: s.subnetId, cidr: s.cidrBlock, zone: s.availabilityZone },
    ]);
    this.#bySubnet.set(subnetId, made);
    return made;
  }

  #held(ip: string): boolean {
    return this.#cluster.get(`/nodes/${fargateNodeName(ip, this.#region)}`) !== undefined;
  }

  allocate(subnetIds: readonly string[]): ReturnType<FargateIpSource['allocate']> {
    for (let k = 0; k < subnetIds.length; k++) {
      const id = subnetIds[(this.#turn + k) % subnetIds.length] ?? '';
      const source = this.#source(id);
      for (let a = source?.allocate([id]); a !== undefined; a = source?.allocate([id])) {
        if (this.#held(a.ip)) continue;
        this.#turn = (this.#turn + k + 1) % subnetIds.length;
        return a;
      }
    }
    return undefined;
  }

  release(ip: string): void {
    for (const s of this.#bySubnet.values()) s.release(ip);
  }
}

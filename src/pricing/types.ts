/** Where a price came from, so a report can cite it. */
export interface PriceSource {
  url: string;
  /** The day the figure was read, `YYYY-MM-DD`. */
  retrieved: string;
  /** Caveats, e.g. that the figure is unconfirmed for the region. */
  note?: string;
}

/** Fargate Linux/x86 on-demand prices in one region, in USD. */
export interface FargatePrices {
  vcpuHour: number;
  gbHour: number;
  /** Ephemeral storage above the free 20 GB, per GB-hour. */
  storageGbHour: number;
  source: PriceSource;
}

/** One EC2 instance type's Linux on-demand price and the shape a node group node gets. */
export interface Ec2Price {
  hourly: number;
  vcpu: number;
  memoryGib: number;
  /** EKS's max pods for the type (the AMI's eni-max-pods table). */
  maxPods: number;
  source: PriceSource;
}

/**
 * Read-only price lookups. `fargate` and `ec2` throw a PricingError for an unknown region or
 * instance type; they never guess a price.
 */
export interface PriceCatalogue {
  currency: 'USD';
  fargate(region: string): FargatePrices;
  ec2(region: string, instanceType: string): Ec2Price;
  /** Regions with Fargate prices, sorted. */
  regions(): string[];
}

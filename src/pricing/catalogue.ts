import { INSTANCE_SHAPES } from '../aws/ec2/index.ts';
import { EC2_PRICES, FARGATE_PRICES, INSTANCE_SHAPES_SOURCE } from './catalogue-data.ts';
import { PricingError } from './errors.ts';
import { readPriceOverride, type PriceOverride } from './override.ts';
import type { Ec2Price, FargatePrices, PriceCatalogue, PriceSource } from './types.ts';

export interface PriceCatalogueOptions {
  /** A `prices.json`/`prices.yaml` whose values replace the built-in ones; missing = none. */
  overrideFile?: string;
}

/** Resolves one value: the override's, else the built-in one, else a clear error. */
interface Resolver {
  readonly override: PriceOverride | undefined;
  value(path: string, patched: number | undefined, builtIn: number | undefined): number;
  source(patch: object | undefined, builtIn: PriceSource | undefined): PriceSource;
}

function resolver(override: PriceOverride | undefined): Resolver {
  const file = override?.file ?? 'prices';
  return {
    override,
    value(path, patched, builtIn) {
      const v = patched ?? builtIn;
      if (v === undefined) {
        throw new PricingError(
          'KILN_PRICING_BAD_OVERRIDE',
          `${file}: ${path}: required, because Kiln has no built-in value for it`,
        );
      }
      return v;
    },
    source(patch, builtIn) {
      const changed = Object.keys(patch ?? {});
      if (override !== undefined && changed.length > 0) {
        return { ...override.source, note: `user override of ${changed.join(', ')}` };
      }
      if (builtIn === undefined) {
        throw new PricingError('KILN_PRICING_BAD_OVERRIDE', `${file}: an entry sets no values`);
      }
      return builtIn;
    },
  };
}

function mergeFargate(r: Resolver): Map<string, FargatePrices> {
  const patches = r.override?.fargate ?? {};
  const regions = new Set([...Object.keys(FARGATE_PRICES), ...Object.keys(patches)]);
  const out = new Map<string, FargatePrices>();
  for (const region of regions) {
    const base = FARGATE_PRICES[region];
    const patch = patches[region];
    const at = `fargate.${region}`;
    out.set(region, {
      vcpuHour: r.value(`${at}.vcpuHour`, patch?.vcpuHour, base?.vcpuHour),
      gbHour: r.value(`${at}.gbHour`, patch?.gbHour, base?.gbHour),
      storageGbHour: r.value(`${at}.storageGbHour`, patch?.storageGbHour, base?.storageGbHour),
      source: r.source(patch, base?.source),
    });
  }
  return out;
}

interface Ec2Key {
  region: string;
  type: string;
}

function ec2Entry(r: Resolver, key: Ec2Key): Ec2Price {
  const base = EC2_PRICES[key.region]?.[key.type];
  const shape = INSTANCE_SHAPES[key.type];
  const builtIn: Partial<Record<'hourly' | 'vcpu' | 'memoryGib' | 'maxPods', number>> = {
    ...(shape && { vcpu: shape.vcpu, memoryGib: shape.memoryGib, maxPods: shape.maxPods }),
    ...(base && { hourly: base.hourly }),
  };
  const patch = r.override?.ec2[key.region]?.[key.type] ?? {};
  const at = `ec2.${key.region}.${key.type}`;
  return {
    hourly: r.value(`${at}.hourly`, patch.hourly, builtIn.hourly),
    vcpu: r.value(`${at}.vcpu`, patch.vcpu, builtIn.vcpu),
    memoryGib: r.value(`${at}.memoryGib`, patch.memoryGib, builtIn.memoryGib),
    maxPods: r.value(`${at}.maxPods`, patch.maxPods, builtIn.maxPods),
    source: r.source(patch, base?.source ?? INSTANCE_SHAPES_SOURCE),
  };
}

function mergeEc2Region(r: Resolver, region: string): Map<string, Ec2Price> {
  const types = new Set([
    ...Object.keys(EC2_PRICES[region] ?? {}),
    ...Object.keys(r.override?.ec2[region] ?? {}),
  ]);
  return new Map([...types].map((type) => [type, ec2Entry(r, { region, type })]));
}

function mergeEc2(r: Resolver): Map<string, Map<string, Ec2Price>> {
  const regions = new Set([...Object.keys(EC2_PRICES), ...Object.keys(r.override?.ec2 ?? {})]);
  return new Map([...regions].map((region) => [region, mergeEc2Region(r, region)]));
}

function unknownRegion(kind: string, region: string, known: Iterable<string>): PricingError {
  return new PricingError(
    'KILN_PRICING_UNKNOWN_REGION',
    `no ${kind} prices for region ${region} (known: ${[...known].sort().join(', ')}); ` +
      'add them to prices.json in the Kiln state dir',
  );
}

/**
 * The built-in price catalogue with the override file's values laid over it. Reading happens
 * once, here; the catalogue is immutable afterwards. Throws PricingError for a malformed file.
 */
export function loadPriceCatalogue(opts: PriceCatalogueOptions = {}): PriceCatalogue {
  const override =
    opts.overrideFile === undefined ? undefined : readPriceOverride(opts.overrideFile);
  const r = resolver(override);
  const fargate = mergeFargate(r);
  const ec2 = mergeEc2(r);
  return {
    currency: 'USD',
    fargate(region) {
      const prices = fargate.get(region);
      if (prices === undefined) throw unknownRegion('Fargate', region, fargate.keys());
      return { ...prices, source: { ...prices.source } };
    },
    ec2(region, instanceType) {
      const types = ec2.get(region);
      if (types === undefined) throw unknownRegion('EC2', region, ec2.keys());
      const price = types.get(instanceType);
      if (price === undefined) {
        throw new PricingError(
          'KILN_PRICING_UNKNOWN_INSTANCE_TYPE',
          `no EC2 price for ${instanceType} in ${region} (known: ${[...types.keys()].sort().join(', ')}); ` +
            'add it to prices.json in the Kiln state dir',
        );
      }
      return { ...price, source: { ...price.source } };
    },
    regions() {
      return [...fargate.keys()].sort();
    },
  };
}

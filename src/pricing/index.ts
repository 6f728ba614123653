export type { PriceSource, FargatePrices, Ec2Price, PriceCatalogue } from './types.ts';
export { PricingError, type PricingErrorCode } from './errors.ts';
export {
  FARGATE_FREE_STORAGE_GB,
  billedSeconds,
  fargateCost,
  type FargateUsage,
} from './billing.ts';
export { loadPriceCatalogue, type PriceCatalogueOptions } from './catalogue.ts';
export {
  findPriceOverrideFile,
  parsePriceOverride,
  PRICE_OVERRIDE_FILE_NAMES,
  type PriceOverride,
} from './override.ts';

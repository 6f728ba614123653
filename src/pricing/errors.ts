import { KilnError } from '../util/index.ts';

export type PricingErrorCode =
  | 'KILN_PRICING_UNKNOWN_REGION'
  | 'KILN_PRICING_UNKNOWN_INSTANCE_TYPE'
  | 'KILN_PRICING_BAD_OVERRIDE';

/** A price lookup or a price override file that cannot be honoured. */
export class PricingError extends KilnError {
  readonly code: PricingErrorCode;
  constructor(code: PricingErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

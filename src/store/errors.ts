import { KilnError } from '../util/index.ts';

export class StoreNotFoundError extends KilnError {
  readonly code = 'KILN_STORE_NOT_FOUND';
  readonly key: string;
  constructor(key: string) {
    super(`key ${key} not found`);
    this.key = key;
  }
}

export class StoreAlreadyExistsError extends KilnError {
  readonly code = 'KILN_STORE_ALREADY_EXISTS';
  readonly key: string;
  constructor(key: string) {
    super(`key ${key} already exists`);
    this.key = key;
  }
}

/** The object changed since the revision the caller read (compare-and-swap failed). */
export class StoreConflictError extends KilnError {
  readonly code = 'KILN_STORE_CONFLICT';
  readonly key: string;
  constructor(key: string, expected: number) {
    super(`key ${key} was modified since revision ${expected}`);
    this.key = key;
  }
}

/** The requested revision is older than the retained history (HTTP 410 Expired upstream). */
export class StoreExpiredError extends KilnError {
  readonly code = 'KILN_STORE_EXPIRED';
  readonly requested: number;
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.requested = requested;
    this.oldest = oldest;
  }
}

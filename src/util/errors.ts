/**
 * The base of every typed error in Kiln. Each boundary (API server, AWS endpoint, CLI)
 * maps these to its own wire shape in exactly one place.
 */
export abstract class KilnError extends Error {
  /** A stable, catalogued code, e.g. `KILN_STORE_CONFLICT`. */
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Narrows an unknown thrown value to an Error. */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

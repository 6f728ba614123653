import { KilnError } from '../util/index.ts';

/**
 * What went wrong in a runtime, as callers branch on it (virtual-kubelet's errdefs in small).
 * - `NotFound`: the sandbox, container or image is unknown (or already removed).
 * - `ImagePull`: the image could not be pulled; the message says why, as a registry would.
 * - `InvalidState`: the operation does not apply now (e.g. starting an exited container).
 * - `Unsupported`: the runtime cannot do what was asked (e.g. an exec command it does not know).
 */
export type RuntimeErrorKind = 'NotFound' | 'ImagePull' | 'InvalidState' | 'Unsupported';

const CODES: Readonly<Record<RuntimeErrorKind, string>> = {
  NotFound: 'KILN_RUNTIME_NOT_FOUND',
  ImagePull: 'KILN_RUNTIME_IMAGE_PULL',
  InvalidState: 'KILN_RUNTIME_INVALID_STATE',
  Unsupported: 'KILN_RUNTIME_UNSUPPORTED',
};

/** The one error type every runtime throws for expected failures. */
export class RuntimeError extends KilnError {
  readonly code: string;
  readonly kind: RuntimeErrorKind;
  constructor(kind: RuntimeErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.code = CODES[kind];
  }
}

export function isRuntimeError(e: unknown, kind?: RuntimeErrorKind): e is RuntimeError {
  return e instanceof RuntimeError && (kind === undefined || e.kind === kind);
}

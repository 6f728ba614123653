import type { KubeObject } from '../../api/index.ts';
import type { UserInfo } from '../http-types.ts';
import type { ResourceDefinition } from '../resources/types.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What admission sees of one request. Mutating plugins may change `object`. */
export interface AdmissionAttributes {
  readonly operation: AdmissionOperation;
  readonly def: ResourceDefinition;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  object: KubeObject | undefined;
  readonly oldObject: KubeObject | undefined;
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** Warnings to return to the client as Warning headers. */
  readonly warnings: string[];
}

/**
 * One admission plugin. `admit` runs in the mutating phase (in order), `validate` in the
 * validating phase. Both reject by throwing an ApiError.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(attrs: AdmissionAttributes): Promise<void> | void;
  validate?(attrs: AdmissionAttributes): Promise<void> | void;
}

export class AdmissionChain {
  readonly #plugins: AdmissionPlugin[];
  constructor(plugins: readonly AdmissionPlugin[] = []) {
    this.#plugins = [...plugins];
  }
  add(plugin: AdmissionPlugin): void {
    this.#plugins.push(plugin);
  }
  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) if (p.admit) await p.admit(attrs);
  }
  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) if (p.validate) await p.validate(attrs);
  }
}

import type { KubeObject } from '../../api/index.ts';
import { StoreConflictError, type Store, type StoredObject } from '../../store/index.ts';
import { AwsError } from '../types.ts';

export interface IamTag {
  readonly Key: string;
  readonly Value: string;
}

/** A role as IAM keeps it. Names are unique case-insensitively, as in IAM. */
export interface RoleRecord {
  readonly RoleName: string;
  readonly RoleId: string;
  readonly Arn: string;
  readonly Path: string;
  /** Epoch milliseconds. */
  readonly CreateDate: number;
  /** The trust policy exactly as given (decoded JSON text). */
  readonly AssumeRolePolicyDocument: string;
  readonly Description?: string;
  readonly MaxSessionDuration: number;
  readonly Tags: readonly IamTag[];
  readonly AttachedPolicyArns: readonly string[];
  /** Inline policies by name, documents as given. */
  readonly InlinePolicies: Readonly<Record<string, string>>;
}

/** A customer managed policy (one version: `v1`). */
export interface PolicyRecord {
  readonly PolicyName: string;
  readonly PolicyId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly Description?: string;
  readonly CreateDate: number;
  readonly UpdateDate: number;
  readonly Document: string;
  readonly Tags: readonly IamTag[];
}

const ROLES = '/iam/roles/';
const POLICIES = '/iam/policies/';
const CAS_RETRIES = 5;

function roleKey(name: string): string {
  return `${ROLES}${name.toLowerCase()}`;
}

function policyKey(name: string): string {
  return `${POLICIES}${name.toLowerCase()}`;
}

function roleOf(o: StoredObject): RoleRecord {
  // SAFETY: only IamState writes under /iam/roles/, always with a RoleRecord in `role`.
  return o.object['role'] as RoleRecord;
}

function policyOf(o: StoredObject): PolicyRecord {
  // SAFETY: only IamState writes under /iam/policies/, always with a PolicyRecord in `policy`.
  return o.object['policy'] as PolicyRecord;
}

function wrap(kind: 'Role' | 'Policy', name: string, body: RoleRecord | PolicyRecord): KubeObject {
  return {
    apiVersion: 'iam.kiln.dev/v1',
    kind,
    metadata: { name: name.toLowerCase() },
    [kind === 'Role' ? 'role' : 'policy']: body,
  };
}

export function noSuchRole(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, {
    httpStatus: 404,
  });
}

/**
 * IAM's durable state in the Store under `/iam/` (roles and customer managed policies).
 * Updates are compare-and-swap with retries, so concurrent calls never lose a write.
 */
export class IamState {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  getRole(name: string): RoleRecord | undefined {
    const o = this.#store.get(roleKey(name));
    return o ? roleOf(o) : undefined;
  }

  listRoles(): RoleRecord[] {
    return this.#store.list(ROLES).items.map(roleOf);
  }

  async createRole(role: RoleRecord): Promise<boolean> {
    try {
      await this.#store.create(roleKey(role.RoleName), wrap('Role', role.RoleName, role));
      return true;
    } catch (e: unknown) {
      if (this.#store.get(roleKey(role.RoleName))) return false;
      throw e;
    }
  }

  /** Applies `change` to the role atomically; NoSuchEntity when it does not exist. */
  async updateRole(name: string, change: (r: RoleRecord) => RoleRecord): Promise<RoleRecord> {
    for (let attempt = 0; ; attempt++) {
      const stored = this.#store.get(roleKey(name));
      if (!stored) throw noSuchRole(name);
      const next = change(roleOf(stored));
      try {
        await this.#store.update(roleKey(name), wrap('Role', next.RoleName, next), {
          expectedRevision: stored.modRevision,
        });
        return next;
      } catch (e: unknown) {
        if (!(e instanceof StoreConflictError) || attempt >= CAS_RETRIES) throw e;
      }
    }
  }

  /** Deletes the role if `check` passes on its current state (atomically). */
  async deleteRole(name: string, check: (r: RoleRecord) => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const stored = this.#store.get(roleKey(name));
      if (!stored) throw noSuchRole(name);
      check(roleOf(stored));
      try {
        await this.#store.delete(roleKey(name), { expectedRevision: stored.modRevision });
        return;
      } catch (e: unknown) {
        if (!(e instanceof StoreConflictError) || attempt >= CAS_RETRIES) throw e;
      }
    }
  }

  getPolicy(name: string): PolicyRecord | undefined {
    const o = this.#store.get(policyKey(name));
    return o ? policyOf(o) : undefined;
  }

  listPolicies(): PolicyRecord[] {
    return this.#store.list(POLICIES).items.map(policyOf);
  }

  async createPolicy(policy: PolicyRecord): Promise<boolean> {
    try {
      await this.#store.create(
        policyKey(policy.PolicyName),
        wrap('Policy', policy.PolicyName, policy),
      );
      return true;
    } catch (e: unknown) {
      if (this.#store.get(policyKey(policy.PolicyName))) return false;
      throw e;
    }
  }

  async deletePolicy(name: string): Promise<void> {
    await this.#store.delete(policyKey(name));
  }
}

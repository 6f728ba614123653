import type { AwsPrincipal } from '../../apiserver/authn/index.ts';
import type { Store, StoredObject } from '../../store/index.ts';
import type { AwsCredentialEntry, AwsCredentials } from '../endpoint/index.ts';

const PREFIX = '/sts/credentials/';

/** Temporary credentials as STS keeps them. */
export interface TemporaryCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly principal: AwsPrincipal;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

function entryOf(o: StoredObject): TemporaryCredential {
  // SAFETY: only StsCredentials writes under /sts/credentials/, always with `credential`.
  return o.object['credential'] as TemporaryCredential;
}

/**
 * The long-term keys (`base`, e.g. `test`/`test`) plus the temporary ones STS issues, which
 * live in the Store so they survive a restart. Lookups are synchronous (the Store's cache), so
 * this also serves the API server's `k8s-aws-v1.` token verifier.
 */
export class StsCredentials implements AwsCredentials {
  readonly #store: Store;
  readonly #base: AwsCredentials;

  constructor(opts: { readonly store: Store; readonly base: AwsCredentials }) {
    this.#store = opts.store;
    this.#base = opts.base;
  }

  lookup(accessKeyId: string): AwsCredentialEntry | undefined {
    const stored = this.#store.get(`${PREFIX}${accessKeyId}`);
    if (!stored) return this.#base.lookup(accessKeyId);
    const c = entryOf(stored);
    return {
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
      principal: c.principal,
      expiresAt: c.expiresAt,
    };
  }

  async issue(credential: TemporaryCredential): Promise<void> {
    await this.#store.create(`${PREFIX}${credential.accessKeyId}`, {
      apiVersion: 'sts.kiln.dev/v1',
      kind: 'TemporaryCredential',
      metadata: { name: credential.accessKeyId },
      credential,
    });
  }

  /** Drops credentials that expired before `now`; returns how many. */
  async prune(now: number): Promise<number> {
    const expired = this.#store.list(PREFIX).items.filter((o) => entryOf(o).expiresAt <= now);
    for (const o of expired) await this.#store.delete(o.key);
    return expired.length;
  }
}

import type { KubeObject } from '../../api/index.ts';
import { StoreConflictError, type Store } from '../../store/index.ts';
import type { Kind, Records } from './model.ts';

/**
 * Typed access to EC2 records in the shared store. Every record lives at
 * `/ec2/<region>/<kind>/<id>` wrapped as `{kind: 'Ec2Record', metadata: {name: id}, record}`.
 * Updates are compare-and-swap with retry, so concurrent calls never lose a write.
 */
export class Ec2State {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  static key(region: string, kind: Kind, id = ''): string {
    return `/ec2/${region}/${kind}/${id}`;
  }

  get<K extends Kind>(region: string, kind: K, id: string): Records[K] | undefined {
    const stored = this.#store.get(Ec2State.key(region, kind, id));
    return stored ? unwrap(stored.object, kind) : undefined;
  }

  /** Records of a kind (whose id starts with `idPrefix`), sorted by id. */
  list<K extends Kind>(region: string, kind: K, idPrefix = ''): Records[K][] {
    return this.#store
      .list(Ec2State.key(region, kind, idPrefix))
      .items.map((s) => unwrap(s.object, kind));
  }

  /** Records whose id starts with `idPrefix` (IP records are keyed `<subnetId>/<ip>`). */
  count(region: string, kind: Kind, idPrefix: string): number {
    return this.#store.count(Ec2State.key(region, kind, idPrefix));
  }

  /** Creates a record; rejects with StoreAlreadyExistsError when the id is taken. */
  async create<K extends Kind>(
    region: string,
    target: { readonly kind: K; readonly id: string },
    record: Records[K],
  ): Promise<void> {
    await this.#store.create(Ec2State.key(region, target.kind, target.id), wrap(target.id, record));
  }

  /**
   * Applies `change` to the current record and writes it back, retrying on conflicts.
   * `change` may throw (an AwsError) to abort; it must be pure since it may run again.
   */
  async update<K extends Kind>(
    region: string,
    target: { readonly kind: K; readonly id: string },
    change: (current: Records[K]) => Records[K],
  ): Promise<Records[K] | undefined> {
    const key = Ec2State.key(region, target.kind, target.id);
    for (;;) {
      const stored = this.#store.get(key);
      if (!stored) return undefined;
      const next = change(unwrap(stored.object, target.kind));
      try {
        await this.#store.update(key, wrap(target.id, next), {
          expectedRevision: stored.modRevision,
        });
        return next;
      } catch (e: unknown) {
        if (!(e instanceof StoreConflictError)) throw e;
      }
    }
  }

  async remove(region: string, kind: Kind, id: string): Promise<void> {
    await this.#store.delete(Ec2State.key(region, kind, id));
  }
}

function wrap(id: string, record: object): KubeObject {
  return { kind: 'Ec2Record', metadata: { name: id }, record };
}

function unwrap<K extends Kind>(object: KubeObject, _kind: K): Records[K] {
  // SAFETY: only Ec2State writes under /ec2/, always a Records[K] under the key of kind K.
  return object['record'] as Records[K];
}

import { isJsonObject, type KubeObject } from '../../api/index.ts';
import type { Store, StoreEvent } from '../../store/index.ts';
import { parsePolicyRules, type PolicyRule } from './rules.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Where the store keeps each RBAC resource (`/<resource>.<group>/[<ns>/]<name>`). */
export const RBAC_KEYSPACES = {
  roles: `roles.${RBAC_GROUP}`,
  rolebindings: `rolebindings.${RBAC_GROUP}`,
  clusterroles: `clusterroles.${RBAC_GROUP}`,
  clusterrolebindings: `clusterrolebindings.${RBAC_GROUP}`,
} as const;

export interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface RoleRef {
  readonly kind: string;
  readonly name: string;
}

/** A RoleBinding (namespace set) or ClusterRoleBinding (namespace ''), as the index keeps it. */
export interface BindingEntry {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly name: string;
  readonly namespace: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  /** The store key: sorts bindings, so evaluation order does not depend on arrival order. */
  readonly key: string;
}

/** A binding that applies to a user, with the first of its subjects that matched. */
export interface AppliedBinding {
  readonly binding: BindingEntry;
  readonly subject: Subject;
}

/** Who a request is, as the index looks subjects up. */
export interface SubjectIdentity {
  readonly username: string;
  readonly groups: readonly string[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function readSubjects(v: unknown): Subject[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isJsonObject).map((s) => ({
    kind: text(s['kind']),
    name: text(s['name']),
    namespace: text(s['namespace']),
  }));
}

function readBinding(obj: KubeObject, key: string, kind: BindingEntry['kind']): BindingEntry {
  const ref = isJsonObject(obj['roleRef']) ? obj['roleRef'] : {};
  return {
    kind,
    name: obj.metadata.name ?? '',
    // A ClusterRoleBinding's SA subjects never default to a namespace.
    namespace: kind === 'RoleBinding' ? (obj.metadata.namespace ?? '') : '',
    roleRef: { kind: text(ref['kind']), name: text(ref['name']) },
    subjects: readSubjects(obj['subjects']),
    key,
  };
}

/**
 * The lookup key a subject is found under. ServiceAccounts are users named
 * `system:serviceaccount:<ns>:<name>`; in a RoleBinding their namespace defaults to the
 * binding's, in a ClusterRoleBinding one without a namespace matches nobody (as upstream).
 */
export function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace === '' ? bindingNamespace : s.namespace;
      return ns === '' ? undefined : `u:system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return undefined;
  }
}

function identityKeys(who: SubjectIdentity): Set<string> {
  return new Set([`u:${who.username}`, ...who.groups.map((g) => `g:${g}`)]);
}

/** `scope` is '' for ClusterRoleBindings and the namespace for RoleBindings. */
const scoped = (scope: string, key: string): string => `${scope}\u0000${key}`;

/**
 * An in-memory index of RBAC objects, kept current from the store's watch so that an
 * authorization decision costs O(bindings that name the user or one of their groups) and
 * never touches the store. Watch callbacks run synchronously after each commit, so a write
 * is visible to the next request.
 */
export class RbacIndex {
  readonly #store: Store;
  readonly #clusterRoles = new Map<string, readonly PolicyRule[]>();
  /** `<ns>/<name>` → rules. */
  readonly #roles = new Map<string, readonly PolicyRule[]>();
  readonly #bindings = new Map<string, BindingEntry>();
  /** scoped subject key → binding store keys. */
  readonly #bySubject = new Map<string, Set<string>>();
  #started = false;

  constructor(opts: { readonly store: Store }) {
    this.#store = opts.store;
  }

  /** Loads the current objects and follows changes until the signal aborts. Idempotent. */
  start(signal: AbortSignal): void {
    if (this.#started) return;
    this.#started = true;
    for (const keyspace of Object.values(RBAC_KEYSPACES)) {
      const prefix = `/${keyspace}/`;
      const list = this.#store.list(prefix);
      for (const item of list.items) this.#put(item.key, item.object);
      this.#store.watch(prefix, { fromRevision: list.revision, signal }, (e) => {
        this.#apply(e);
      });
    }
  }

  clusterRoleRules(name: string): readonly PolicyRule[] | undefined {
    return this.#clusterRoles.get(name);
  }

  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined {
    return this.#roles.get(`${namespace}/${name}`);
  }

  /**
   * The bindings that apply to a user: ClusterRoleBindings first, then (for a namespace)
   * the RoleBindings there, each in store-key order.
   */
  bindingsFor(who: SubjectIdentity, namespace: string): AppliedBinding[] {
    const keys = identityKeys(who);
    const out = this.#applied(keys, '');
    if (namespace !== '') out.push(...this.#applied(keys, namespace));
    return out;
  }

  #applied(keys: ReadonlySet<string>, scope: string): AppliedBinding[] {
    const found = new Set<string>();
    for (const k of keys) for (const b of this.#bySubject.get(scoped(scope, k)) ?? []) found.add(b);
    const out: AppliedBinding[] = [];
    for (const bkey of [...found].sort()) {
      const binding = this.#bindings.get(bkey);
      const subject = binding?.subjects.find((s) => {
        const k = subjectKey(s, binding.namespace);
        return k !== undefined && keys.has(k);
      });
      if (binding && subject) out.push({ binding, subject });
    }
    return out;
  }

  #apply(e: StoreEvent): void {
    this.#remove(e.key);
    if (e.type !== 'DELETED') this.#put(e.key, e.object);
  }

  #kindOf(key: string): keyof typeof RBAC_KEYSPACES | undefined {
    const keyspace = key.split('/')[1] ?? '';
    const entry = Object.entries(RBAC_KEYSPACES).find(([, ks]) => ks === keyspace);
    // SAFETY: the keys of RBAC_KEYSPACES are exactly its entries' first elements.
    return entry?.[0] as keyof typeof RBAC_KEYSPACES | undefined;
  }

  #put(key: string, obj: KubeObject): void {
    const name = obj.metadata.name ?? '';
    switch (this.#kindOf(key)) {
      case 'clusterroles':
        this.#clusterRoles.set(name, parsePolicyRules(obj['rules']));
        return;
      case 'roles':
        this.#roles.set(`${obj.metadata.namespace ?? ''}/${name}`, parsePolicyRules(obj['rules']));
        return;
      case 'rolebindings':
        this.#putBinding(readBinding(obj, key, 'RoleBinding'));
        return;
      case 'clusterrolebindings':
        this.#putBinding(readBinding(obj, key, 'ClusterRoleBinding'));
        return;
      case undefined:
        return;
    }
  }

  #putBinding(b: BindingEntry): void {
    this.#bindings.set(b.key, b);
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (k === undefined) continue;
      const sk = scoped(b.namespace, k);
      let set = this.#bySubject.get(sk);
      if (!set) {
        set = new Set();
        this.#bySubject.set(sk, set);
      }
      set.add(b.key);
    }
  }

  #remove(key: string): void {
    const parts = key.split('/');
    const name = parts.at(-1) ?? '';
    switch (this.#kindOf(key)) {
      case 'clusterroles':
        this.#clusterRoles.delete(name);
        return;
      case 'roles':
        this.#roles.delete(`${parts[2] ?? ''}/${name}`);
        return;
      case 'rolebindings':
      case 'clusterrolebindings':
        this.#removeBinding(key);
        return;
      case undefined:
        return;
    }
  }

  #removeBinding(key: string): void {
    const b = this.#bindings.get(key);
    if (!b) return;
    this.#bindings.delete(key);
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (k === undefined) continue;
      const sk = scoped(b.namespace, k);
      const set = this.#bySubject.get(sk);
      set?.delete(key);
      if (set?.size === 0) this.#bySubject.delete(sk);
    }
  }
}

import { isJsonObject, type JsonObject } from '../api/index.ts';
import { decodePath } from './field-set.ts';

function isEmpty(node: JsonObject): boolean {
  for (const _ in node) return false;
  return true;
}

/**
 * Edits a FieldsV1 tree in canonical form (keys sorted at every level, leaves `{}`) as adding or
 * removing leaf paths in its set and re-encoding would, without decoding the whole tree: nodes
 * off the edited paths are shared with the original, which is never changed.
 */
export class FieldsV1Editor {
  #root: JsonObject;
  /** Nodes this editor made, which it may change in place. */
  readonly #fresh = new Set<JsonObject>();

  constructor(root: JsonObject) {
    this.#root = root;
  }

  get root(): JsonObject {
    return this.#root;
  }

  /** Removes the leaf at `encoded`, and every node left without a leaf; false if none is there. */
  remove(encoded: string): boolean {
    const path = decodePath(encoded);
    let node: JsonObject = this.#root;
    for (const token of path) {
      const child = node[token];
      if (!isJsonObject(child) || !Object.hasOwn(node, token)) return false;
      node = child;
    }
    if (!isEmpty(node)) return false;
    this.#root = this.#without(this.#root, path, 0);
    return true;
  }

  /** Adds the leaf at `encoded`, with the nodes above it, each at its sorted place. */
  add(encoded: string): void {
    this.#root = this.#with(this.#root, decodePath(encoded), 0);
  }

  #own(node: JsonObject): JsonObject {
    if (this.#fresh.has(node)) return node;
    const copy = { ...node };
    this.#fresh.add(copy);
    return copy;
  }

  /** `node` less the leaf at path[i…], pruning what empties; the path is known to exist. */
  #without(node: JsonObject, path: readonly string[], i: number): JsonObject {
    const token = path[i] ?? '';
    if (i < path.length - 1) {
      // SAFETY: remove() walked the path: every node on it is an object.
      const next = this.#without(node[token] as JsonObject, path, i + 1);
      if (!isEmpty(next)) {
        const own = this.#own(node);
        own[token] = next;
        return own;
      }
    }
    const out: JsonObject = {};
    for (const k in node) if (k !== token) out[k] = node[k] ?? {};
    this.#fresh.add(out);
    return out;
  }

  #with(node: JsonObject, path: readonly string[], i: number): JsonObject {
    if (i === path.length) return node;
    const token = path[i] ?? '';
    const child = node[token];
    if (isJsonObject(child) && Object.hasOwn(node, token)) {
      const next = this.#with(child, path, i + 1);
      if (next === child) return node;
      const own = this.#own(node);
      own[token] = next;
      return own;
    }
    const created: JsonObject = {};
    this.#fresh.add(created);
    return this.#insertSorted(node, token, this.#with(created, path, i + 1));
  }

  /** A copy of `node` with `token` added where sorting the keys puts it. */
  #insertSorted(node: JsonObject, token: string, value: JsonObject): JsonObject {
    const out: JsonObject = {};
    let placed = false;
    for (const k in node) {
      if (!placed && token < k) {
        out[token] = value;
        placed = true;
      }
      out[k] = node[k] ?? {};
    }
    if (!placed) out[token] = value;
    this.#fresh.add(out);
    return out;
  }
}

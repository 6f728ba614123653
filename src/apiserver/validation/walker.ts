import { isJsonObject, type FieldError, type JsonObject } from '../../api/index.ts';
import { child, index, typeInvalid } from './field.ts';

/**
 * Typed reads over untrusted JSON. A value of the wrong JSON type is recorded as a
 * FieldValueTypeInvalid error and read as absent, so validators never throw on malformed
 * input and go on checking the rest of the object.
 */

/** A string field read leniently: anything else counts as Go's zero value ''. */
export function strOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An object's metadata as JSON: {} when it is missing or not an object. */
export function metaOf(obj: unknown): JsonObject {
  const meta = isJsonObject(obj) ? obj['metadata'] : undefined;
  return isJsonObject(meta) ? meta : {};
}

/** A string field of an object's metadata ('' when absent or not a string). */
export function metaText(obj: unknown, k: string): string {
  return strOf(metaOf(obj)[k]);
}

/** A `map[string]string` field of an object's metadata, non-string values dropped. */
export function metaMap(obj: unknown, k: string): Record<string, string> {
  const m = metaOf(obj)[k];
  if (!isJsonObject(m)) return {};
  return Object.fromEntries(
    Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** The OpenAPI name of a JSON value's type. */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return typeof v;
  }
}

/** An object located in the document: the value (if it is an object) and its path. */
export interface At {
  readonly o: JsonObject | undefined;
  readonly path: string;
}

/** An object known to be present, with its path. */
export interface Located {
  readonly o: JsonObject;
  readonly path: string;
}

/** One element of an array of objects, with its path. */
export interface Item extends Located {
  readonly i: number;
}

export class Walker {
  readonly errs: FieldError[] = [];

  add(...errs: readonly FieldError[]): void {
    this.errs.push(...errs);
  }

  private wrong(path: string, v: unknown, expected: string): void {
    this.errs.push(typeInvalid(path, jsonTypeName(v), expected));
  }

  asObj(v: unknown, path: string): JsonObject | undefined {
    if (v === undefined || v === null) return undefined;
    if (isJsonObject(v)) return v;
    this.wrong(path, v, 'object');
    return undefined;
  }

  asArr(v: unknown, path: string): readonly unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) {
      const items: readonly unknown[] = v;
      return items;
    }
    this.wrong(path, v, 'array');
    return undefined;
  }

  asStr(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.wrong(path, v, 'string');
    return undefined;
  }

  asInt(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.wrong(path, v, 'integer');
    return undefined;
  }

  asBool(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.wrong(path, v, 'boolean');
    return undefined;
  }

  obj(parent: JsonObject | undefined, base: string, k: string): JsonObject | undefined {
    return this.asObj(parent?.[k], child(base, k));
  }

  arr(parent: JsonObject | undefined, base: string, k: string): readonly unknown[] | undefined {
    return this.asArr(parent?.[k], child(base, k));
  }

  str(parent: JsonObject | undefined, base: string, k: string): string | undefined {
    return this.asStr(parent?.[k], child(base, k));
  }

  /** A Go `string` field: absent or of the wrong type reads as the zero value ''. */
  text(parent: JsonObject | undefined, base: string, k: string): string {
    return this.str(parent, base, k) ?? '';
  }

  int(parent: JsonObject | undefined, base: string, k: string): number | undefined {
    return this.asInt(parent?.[k], child(base, k));
  }

  /** A Go integer field: absent or of the wrong type reads as the zero value 0. */
  num(parent: JsonObject | undefined, base: string, k: string): number {
    return this.int(parent, base, k) ?? 0;
  }

  bool(parent: JsonObject | undefined, base: string, k: string): boolean | undefined {
    return this.asBool(parent?.[k], child(base, k));
  }

  /** A `map[string]string`; entries of the wrong type are reported and dropped. */
  strMap(
    parent: JsonObject | undefined,
    base: string,
    k: string,
  ): Record<string, string> | undefined {
    const path = child(base, k);
    const o = this.asObj(parent?.[k], path);
    if (o === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [mk, mv] of Object.entries(o)) {
      const s = this.asStr(mv, `${path}[${mk}]`);
      if (s !== undefined) out[mk] = s;
    }
    return out;
  }

  /** A `[]string`; elements of the wrong type are reported and dropped. */
  strArr(parent: JsonObject | undefined, base: string, k: string): string[] | undefined {
    const path = child(base, k);
    const a = this.asArr(parent?.[k], path);
    if (a === undefined) return undefined;
    const out: string[] = [];
    a.forEach((v, i) => {
      const s = this.asStr(v, index(path, i));
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  /** An `intstr.IntOrString`. */
  intOrStr(parent: JsonObject | undefined, base: string, k: string): number | string | undefined {
    const v = parent?.[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return v;
    this.wrong(child(base, k), v, 'integer-or-string');
    return undefined;
  }

  /** A `resource.Quantity`, which JSON may carry as a string or a number. */
  quantity(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    this.wrong(path, v, 'string');
    return undefined;
  }

  /** The object elements of an array; other elements are reported and skipped. */
  items(parent: JsonObject | undefined, base: string, k: string): Item[] {
    const path = child(base, k);
    const a = this.asArr(parent?.[k], path);
    if (a === undefined) return [];
    const out: Item[] = [];
    a.forEach((v, i) => {
      const p = index(path, i);
      const o = this.asObj(v, p);
      if (o !== undefined) out.push({ o, path: p, i });
    });
    return out;
  }
}

import { errors } from '../errors.ts';
import { groupResource, type ResourceDefinition } from './types.ts';

/**
 * The resources one cluster serves. Lookups by group/version/resource and by kind; later issues
 * register CRDs here at run time.
 */
export class ResourceRegistry {
  readonly #byGvr = new Map<string, ResourceDefinition>();
  #version = 0;

  constructor(defs: readonly ResourceDefinition[] = []) {
    for (const d of defs) this.register(d);
  }

  register(def: ResourceDefinition): void {
    this.#byGvr.set(`${def.group}/${def.version}/${def.resource}`, def);
    this.#version++;
  }

  unregister(def: Pick<ResourceDefinition, 'group' | 'version' | 'resource'>): void {
    this.#byGvr.delete(`${def.group}/${def.version}/${def.resource}`);
    this.#version++;
  }

  /** Bumps on every change, so discovery documents can be cached. */
  version(): number {
    return this.#version;
  }

  lookup(group: string, version: string, resource: string): ResourceDefinition | undefined {
    return this.#byGvr.get(`${group}/${version}/${resource}`);
  }

  require(group: string, version: string, resource: string): ResourceDefinition {
    const d = this.lookup(group, version, resource);
    if (!d) throw errors.notFoundPath();
    return d;
  }

  all(): ResourceDefinition[] {
    return [...this.#byGvr.values()];
  }

  /** Group → versions (preferred first), in registration order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.#byGvr.values()) {
      const vs = out.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      out.set(d.group, vs);
    }
    return out;
  }

  forGroupVersion(group: string, version: string): ResourceDefinition[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }

  storageKeyspace(def: ResourceDefinition): string {
    return def.storageResource ?? groupResource(def);
  }
}

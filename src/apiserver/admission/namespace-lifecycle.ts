import type { KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { errors } from '../errors.ts';
import type { AdmissionPlugin } from './types.ts';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * NamespaceLifecycle: no new objects in a missing or terminating namespace, and the system
 * namespaces cannot be deleted.
 */
export function namespaceLifecycle(store: Store): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    validate(a) {
      if (a.def.group === '' && a.def.resource === 'namespaces') {
        if (a.operation === 'DELETE' && IMMORTAL.has(a.name)) {
          throw errors.forbidden(
            { group: '', resource: 'namespaces' },
            a.name,
            'this namespace may not be deleted',
          );
        }
        return;
      }
      if (!a.def.namespaced || a.operation !== 'CREATE' || a.namespace === '') return;
      const ns: KubeObject | undefined = store.get(`/namespaces/${a.namespace}`)?.object;
      if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, a.namespace);
      if (ns.metadata.deletionTimestamp !== undefined) {
        throw errors.forbidden(
          { group: a.def.group, resource: a.def.resource },
          a.name,
          `unable to create new content in namespace ${a.namespace} because it is being terminated`,
        );
      }
    },
  };
}

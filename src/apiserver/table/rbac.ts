import type { KubeObject } from '../../api/index.ts';
import { AGE_COLUMN, column, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { rec, records, str } from './fields.ts';
import type { TablePrinter } from './types.ts';

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts. */
function subjectColumns(binding: KubeObject): [users: string, groups: string, sas: string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of records(binding['subjects'])) {
    const name = str(s['name']);
    if (s['kind'] === 'ServiceAccount') sas.push(`${str(s['namespace'])}/${name}`);
    else if (s['kind'] === 'User') users.push(name);
    else if (s['kind'] === 'Group') groups.push(name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(kind: 'RoleBinding' | 'ClusterRoleBinding', noun: string): TablePrinter {
  return {
    columns: [
      NAME_COLUMN,
      docColumn('Role', `${kind}.roleRef`),
      AGE_COLUMN,
      column('Users', `Users in the ${noun}`, { wide: true }),
      column('Groups', `Groups in the ${noun}`, { wide: true }),
      column('ServiceAccounts', `ServiceAccounts in the ${noun}`, { wide: true }),
    ],
    cells(b, { now }) {
      const roleRef = rec(b['roleRef']);
      return [
        nameOf(b),
        `${str(roleRef['kind'])}/${str(roleRef['name'])}`,
        ageOf(b, now),
        ...subjectColumns(b),
      ];
    },
  };
}

/**
 * rbac.authorization.k8s.io/v1 printers from printers.go, Kubernetes 1.32. Roles and ClusterRoles
 * have none upstream and use the default (Name, Created At) convertor.
 */
export const rbacPrinters: PrinterTable = {
  'rolebindings.rbac.authorization.k8s.io': bindingPrinter('RoleBinding', 'roleBinding'),
  'clusterrolebindings.rbac.authorization.k8s.io': bindingPrinter(
    'ClusterRoleBinding',
    'clusterRoleBinding',
  ),
};

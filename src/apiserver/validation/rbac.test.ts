import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { bootstrapRbacObjects } from '../authz/bootstrap-policy.ts';
import {
  defaultBinding,
  validateClusterRole,
  validateClusterRoleBinding,
  validateRole,
  validateRoleBinding,
} from './rbac.ts';

const G = 'rbac.authorization.k8s.io';
const msgs = (errs: readonly { message: string }[]): string[] => errs.map((e) => e.message);

describe('rbac validation', () => {
  it('accepts every bootstrap object', () => {
    for (const { object } of bootstrapRbacObjects()) {
      const v = object.kind === 'ClusterRole' ? validateClusterRole : validateClusterRoleBinding;
      assert.deepEqual(msgs(v(object)), [], object.metadata.name);
    }
  });

  it('checks policy rules as ValidatePolicyRule', () => {
    const role: KubeObject = {
      kind: 'Role',
      metadata: { name: 'r', namespace: 'ns' },
      rules: [
        { verbs: [], apiGroups: [''] },
        { verbs: ['get'], nonResourceURLs: ['/x'] },
      ],
    };
    assert.deepEqual(msgs(validateRole(role)), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      'rules[1].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    const cr: KubeObject = {
      kind: 'ClusterRole',
      metadata: { name: 'a/b' },
      rules: [{ verbs: ['get'], resources: ['pods'], nonResourceURLs: ['/x'] }],
      aggregationRule: { clusterRoleSelectors: [] },
    };
    assert.deepEqual(msgs(validateClusterRole(cr)), [
      `metadata.name: Invalid value: "a/b": may not contain '/'`,
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });

  it('checks bindings: roleRef, subjects, and roleRef immutability', () => {
    const rb: KubeObject = {
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'ns' },
      roleRef: { apiGroup: G, kind: 'Secret', name: 'x' },
      subjects: [
        { kind: 'ServiceAccount', name: 'Bad_Name' },
        { kind: 'User', name: 'u', apiGroup: 'v1' },
        { kind: 'Robot', name: 'r' },
      ],
    };
    assert.deepEqual(msgs(validateRoleBinding(rb)), [
      'roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"',
      `subjects[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'subjects[1].apiGroup: Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"',
      'subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    const crb: KubeObject = {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b', resourceVersion: '1' },
      roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
    };
    assert.deepEqual(msgs(validateClusterRoleBinding(crb)), [
      'subjects[0].namespace: Required value',
    ]);
    const changed = { ...crb, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'edit' } };
    assert.ok(
      msgs(validateClusterRoleBinding(changed, crb)).includes(
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
      ),
    );
  });

  it('defaults the RBAC group on roleRef and User/Group subjects', () => {
    const b: KubeObject = {
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'ns' },
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [
        { kind: 'User', name: 'u' },
        { kind: 'ServiceAccount', name: 's' },
      ],
    };
    defaultBinding(b);
    assert.deepEqual(b['roleRef'], { kind: 'Role', name: 'r', apiGroup: G });
    assert.deepEqual(b['subjects'], [
      { kind: 'User', name: 'u', apiGroup: G },
      { kind: 'ServiceAccount', name: 's' },
    ]);
    assert.deepEqual(msgs(validateRoleBinding(b)), []);
  });
});

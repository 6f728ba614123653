import type { KubeObject } from '../../api/index.ts';
import { aggregatedRules, aggregationSelectors } from './aggregation.ts';
import { RBAC_GROUP } from './rbac-index.ts';

/**
 * kube-apiserver 1.32's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
 * as data. The per-controller `system:controller:*` roles are left out: Kiln's controllers run
 * in process as one identity.
 */

type Rule = Record<string, string[]>;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];
const EVENT_WRITE = ['create', 'patch', 'update'];

/** A resource rule; verbs and resources sorted as upstream's rule builder sorts them. */
function rule(
  verbs: readonly string[],
  groups: readonly string[],
  resources: readonly string[],
): Rule {
  return { apiGroups: [...groups], resources: [...resources].sort(), verbs: [...verbs].sort() };
}

/** A rule limited to the named objects. */
function named(base: Rule, names: readonly string[]): Rule {
  return { ...base, resourceNames: [...names].sort() };
}

function urls(verbs: readonly string[], paths: readonly string[]): Rule {
  return { nonResourceURLs: [...paths].sort(), verbs: [...verbs].sort() };
}

const eventsRule = (): Rule => rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']);

interface RoleSpec {
  readonly name: string;
  readonly rules?: readonly Rule[];
  readonly labels?: Readonly<Record<string, string>>;
  /** The `rbac.authorization.k8s.io/aggregate-to-<x>` label this role's rules are pulled from. */
  readonly aggregateFrom?: string;
}

const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

function viewRules(): Rule[] {
  return [
    rule(
      READ,
      [''],
      [
        'pods',
        'replicationcontrollers',
        'replicationcontrollers/scale',
        'serviceaccounts',
        'services',
        'services/status',
        'endpoints',
        'persistentvolumeclaims',
        'persistentvolumeclaims/status',
        'configmaps',
      ],
    ),
    rule(
      READ,
      [''],
      [
        'limitranges',
        'resourcequotas',
        'bindings',
        'events',
        'pods/status',
        'resourcequotas/status',
        'namespaces/status',
        'replicationcontrollers/status',
        'pods/log',
      ],
    ),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(
      READ,
      ['apps'],
      [
        'controllerrevisions',
        'statefulsets',
        'statefulsets/scale',
        'statefulsets/status',
        'daemonsets',
        'daemonsets/status',
        'deployments',
        'deployments/scale',
        'deployments/status',
        'replicasets',
        'replicasets/scale',
        'replicasets/status',
      ],
    ),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
    rule(
      READ,
      ['extensions'],
      [
        'daemonsets',
        'daemonsets/status',
        'deployments',
        'deployments/scale',
        'deployments/status',
        'ingresses',
        'ingresses/status',
        'replicasets',
        'replicasets/scale',
        'replicasets/status',
        'replicationcontrollers/scale',
        'networkpolicies',
      ],
    ),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  ];
}

function editRules(): Rule[] {
  return [
    rule(
      READ,
      [''],
      ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy'],
    ),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
    rule(['create'], [''], ['pods/eviction']),
    rule(
      WRITE,
      [''],
      [
        'replicationcontrollers',
        'replicationcontrollers/scale',
        'serviceaccounts',
        'services',
        'services/proxy',
        'persistentvolumeclaims',
        'configmaps',
        'secrets',
        'events',
      ],
    ),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(
      WRITE,
      ['apps'],
      [
        'statefulsets',
        'statefulsets/scale',
        'daemonsets',
        'deployments',
        'deployments/scale',
        'deployments/rollback',
        'replicasets',
        'replicasets/scale',
      ],
    ),
    rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
    rule(
      WRITE,
      ['extensions'],
      [
        'daemonsets',
        'deployments',
        'deployments/scale',
        'deployments/rollback',
        'ingresses',
        'replicasets',
        'replicasets/scale',
        'replicationcontrollers/scale',
        'networkpolicies',
      ],
    ),
    rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
  ];
}

function adminRules(): Rule[] {
  return [
    rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
    rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']),
  ];
}

function nodeRules(): Rule[] {
  return [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(
      ['create'],
      ['authorization.k8s.io'],
      ['subjectaccessreviews', 'localsubjectaccessreviews'],
    ),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['update', 'patch'], [''], ['nodes']),
    rule(EVENT_WRITE, [''], ['events']),
    rule(READ, [''], ['pods']),
    rule(['create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ, [''], ['secrets', 'configmaps']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(
      ['create', 'get', 'list', 'watch'],
      ['certificates.k8s.io'],
      ['certificatesigningrequests'],
    ),
    rule(['delete', 'get', 'create', 'update', 'patch'], ['coordination.k8s.io'], ['leases']),
    rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(READ, ['storage.k8s.io'], ['csidrivers']),
    rule(['delete', 'get', 'create', 'update', 'patch'], ['storage.k8s.io'], ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ];
}

function controllerManagerRules(): Rule[] {
  return [
    eventsRule(),
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    named(rule(['get', 'update'], ['coordination.k8s.io'], ['leases']), [
      'kube-controller-manager',
    ]),
    rule(['create'], [''], ['secrets', 'serviceaccounts']),
    rule(['delete'], [''], ['secrets']),
    rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    rule(['update'], [''], ['secrets', 'serviceaccounts']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], [''], ['serviceaccounts/token']),
  ];
}

function schedulerRules(): Rule[] {
  return [
    eventsRule(),
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    named(rule(['get', 'update'], ['coordination.k8s.io'], ['leases']), ['kube-scheduler']),
    rule(READ, [''], ['nodes']),
    rule(['delete', ...READ], [''], ['pods']),
    rule(['create'], [''], ['bindings', 'pods/binding']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(READ, [''], ['replicationcontrollers', 'services']),
    rule(READ, ['apps', 'extensions'], ['replicasets']),
    rule(READ, ['apps'], ['statefulsets']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    rule(READ, ['storage.k8s.io'], ['csinodes']),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['storage.k8s.io'], ['csidrivers']),
    rule(READ, ['storage.k8s.io'], ['csistoragecapacities']),
  ];
}

const approver = (signer: string): RoleSpec => ({
  name: `system:certificates.k8s.io:${signer.replace('kubernetes.io/', '')}-approver`,
  rules: [named(rule(['approve'], ['certificates.k8s.io'], ['signers']), [signer])],
});

function roleSpecs(): RoleSpec[] {
  return [
    {
      name: 'cluster-admin',
      rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])],
    },
    { name: 'admin', aggregateFrom: 'admin' },
    { name: 'edit', aggregateFrom: 'edit', labels: { [`${AGG}admin`]: 'true' } },
    { name: 'view', aggregateFrom: 'view', labels: { [`${AGG}edit`]: 'true' } },
    { name: 'system:aggregate-to-admin', rules: adminRules(), labels: { [`${AGG}admin`]: 'true' } },
    { name: 'system:aggregate-to-edit', rules: editRules(), labels: { [`${AGG}edit`]: 'true' } },
    { name: 'system:aggregate-to-view', rules: viewRules(), labels: { [`${AGG}view`]: 'true' } },
    {
      name: 'system:auth-delegator',
      rules: [
        rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
        rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      ],
    },
    {
      name: 'system:basic-user',
      rules: [
        rule(
          ['create'],
          ['authorization.k8s.io'],
          ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
        ),
        rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
      ],
    },
    {
      name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])],
    },
    {
      name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      rules: [
        rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
      ],
    },
    approver('kubernetes.io/kube-apiserver-client'),
    approver('kubernetes.io/kube-apiserver-client-kubelet'),
    approver('kubernetes.io/kubelet-serving'),
    approver('kubernetes.io/legacy-unknown'),
    {
      name: 'system:discovery',
      rules: [
        urls(
          ['get'],
          [
            '/api',
            '/api/*',
            '/apis',
            '/apis/*',
            '/healthz',
            '/livez',
            '/openapi',
            '/openapi/*',
            '/readyz',
            '/version',
            '/version/',
          ],
        ),
      ],
    },
    { name: 'system:kube-aggregator', rules: [rule(READ, [''], ['services', 'endpoints'])] },
    { name: 'system:kube-controller-manager', rules: controllerManagerRules() },
    { name: 'system:kube-dns', rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])] },
    { name: 'system:kube-scheduler', rules: schedulerRules() },
    {
      name: 'system:kubelet-api-admin',
      rules: [
        rule(READ, [''], ['nodes']),
        rule(['proxy'], [''], ['nodes']),
        rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']),
      ],
    },
    {
      name: 'system:monitoring',
      rules: [
        urls(
          ['get'],
          [
            '/metrics',
            '/metrics/slis',
            '/livez',
            '/readyz',
            '/healthz',
            '/livez/*',
            '/readyz/*',
            '/healthz/*',
          ],
        ),
      ],
    },
    { name: 'system:node', rules: nodeRules() },
    {
      name: 'system:node-bootstrapper',
      rules: [
        rule(
          ['create', 'get', 'list', 'watch'],
          ['certificates.k8s.io'],
          ['certificatesigningrequests'],
        ),
      ],
    },
    {
      name: 'system:node-problem-detector',
      rules: [
        rule(['get'], [''], ['nodes']),
        rule(['patch'], [''], ['nodes/status']),
        eventsRule(),
      ],
    },
    {
      name: 'system:node-proxier',
      rules: [
        rule(['list', 'watch'], [''], ['services', 'endpoints']),
        rule(READ, [''], ['nodes']),
        eventsRule(),
        rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      ],
    },
    {
      name: 'system:public-info-viewer',
      rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
    },
    {
      name: 'system:service-account-issuer-discovery',
      rules: [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])],
    },
    {
      name: 'system:volume-scheduler',
      rules: [
        rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
        rule(READ, ['storage.k8s.io'], ['storageclasses']),
        rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      ],
    },
  ];
}

type SubjectSpec =
  readonly [kind: 'User' | 'Group', name: string] | readonly ['ServiceAccount', string, string];

const BINDINGS: readonly (readonly [role: string, subjects: readonly SubjectSpec[]])[] = [
  ['cluster-admin', [['Group', 'system:masters']]],
  ['system:basic-user', [['Group', 'system:authenticated']]],
  ['system:discovery', [['Group', 'system:authenticated']]],
  ['system:kube-controller-manager', [['User', 'system:kube-controller-manager']]],
  ['system:kube-dns', [['ServiceAccount', 'kube-system', 'kube-dns']]],
  ['system:kube-scheduler', [['User', 'system:kube-scheduler']]],
  ['system:monitoring', [['Group', 'system:monitoring']]],
  ['system:node', []],
  ['system:node-proxier', [['User', 'system:kube-proxy']]],
  [
    'system:public-info-viewer',
    [
      ['Group', 'system:authenticated'],
      ['Group', 'system:unauthenticated'],
    ],
  ],
  ['system:service-account-issuer-discovery', [['Group', 'system:serviceaccounts']]],
  ['system:volume-scheduler', [['User', 'system:kube-scheduler']]],
];

const bootstrapMeta = (name: string, labels: Readonly<Record<string, string>> = {}) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

function clusterRole(spec: RoleSpec): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: bootstrapMeta(spec.name, spec.labels),
    ...(spec.aggregateFrom === undefined
      ? {}
      : {
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { [`${AGG}${spec.aggregateFrom}`]: 'true' } }],
          },
        }),
    rules: (spec.rules ?? []).map((r) => ({ ...r })),
  };
}

function subjectJson(s: SubjectSpec): Record<string, string> {
  if (s[0] === 'ServiceAccount') return { kind: s[0], name: s[2], namespace: s[1] };
  return { apiGroup: RBAC_GROUP, kind: s[0], name: s[1] };
}

function clusterRoleBinding(role: string, subjects: readonly SubjectSpec[]): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: bootstrapMeta(role),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    ...(subjects.length === 0 ? {} : { subjects: subjects.map(subjectJson) }),
  };
}

/**
 * Fills the aggregated roles (`admin`, `edit`, `view`) as the aggregation controller would,
 * so the defaults work from the first request; the controller keeps them current afterwards.
 * Aggregation nests (view → edit → admin), so it repeats until nothing changes.
 */
function fillAggregated(roles: KubeObject[]): void {
  // Each pass settles at least one more level of nesting; there are fewer levels than roles.
  for (const _pass of roles) {
    let changed = false;
    for (const role of roles) {
      if (aggregationSelectors(role) === undefined) continue;
      const rules = aggregatedRules(role, roles);
      if (JSON.stringify(rules) !== JSON.stringify(role['rules'])) {
        role['rules'] = rules;
        changed = true;
      }
    }
    if (!changed) return;
  }
}

/** The ClusterRoles and ClusterRoleBindings every cluster starts with, with where to POST them. */
export function bootstrapRbacObjects(): { path: string; object: KubeObject }[] {
  const roles = roleSpecs().map(clusterRole);
  fillAggregated(roles);
  const base = `/apis/${RBAC_GROUP}/v1`;
  return [
    ...roles.map((object) => ({ path: `${base}/clusterroles`, object })),
    ...BINDINGS.map(([role, subjects]) => ({
      path: `${base}/clusterrolebindings`,
      object: clusterRoleBinding(role, subjects),
    })),
  ];
}

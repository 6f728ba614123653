import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultTablePrinter } from './default-printer.ts';
import { tablePrinterFor } from './registry.ts';
import { ago, cellsOf, columnNames, MINUTE, NOW, obj, SECOND } from './test-fixtures.ts';

void describe('printers of the smaller API groups', () => {
  void it('events.k8s.io/v1 events print like core events, from the new field names', () => {
    const p = tablePrinterFor('events.events.k8s.io');
    assert.deepEqual(p.columns, tablePrinterFor('events').columns);
    const ev = obj(
      'events.k8s.io/v1/Event',
      { name: 'web.1', namespace: 'default' },
      {
        regarding: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
        note: '  Back-off restarting failed container  ',
        reason: 'BackOff',
        type: 'Warning',
        eventTime: null,
        deprecatedSource: { component: 'kubelet' },
        deprecatedFirstTimestamp: ago(9 * MINUTE),
        deprecatedLastTimestamp: ago(MINUTE),
        deprecatedCount: 12,
        reportingController: 'kubelet',
        reportingInstance: 'node-a',
      },
    );
    assert.deepEqual(cellsOf(p, ev), [
      '60s',
      'Warning',
      'BackOff',
      'pod/web',
      'spec.containers{app}',
      'kubelet, node-a',
      'Back-off restarting failed container',
      '9m',
      12,
      'web.1',
    ]);
  });

  void it('leases', () => {
    const p = tablePrinterFor('leases.coordination.k8s.io');
    assert.deepEqual(columnNames(p), ['Name', 'Holder', 'Age']);
    const lease = obj(
      'coordination.k8s.io/v1/Lease',
      { name: 'node-a' },
      {
        spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40 },
      },
    );
    assert.deepEqual(cellsOf(p, lease), ['node-a', 'node-a', '5d']);
    assert.equal(
      cellsOf(p, obj('coordination.k8s.io/v1/Lease', { name: 'free' }, { spec: {} }))[1],
      '',
    );
  });

  void it('poddisruptionbudgets', () => {
    const p = tablePrinterFor('poddisruptionbudgets.policy');
    assert.deepEqual(columnNames(p), [
      'Name',
      'Min Available',
      'Max Unavailable',
      'Allowed Disruptions',
      'Age',
    ]);
    const pdb = obj(
      'policy/v1/PodDisruptionBudget',
      { name: 'web' },
      {
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
        status: { disruptionsAllowed: 1 },
      },
    );
    assert.deepEqual(cellsOf(p, pdb), ['web', '2', 'N/A', 1, '5d']);
    const pct = obj(
      'policy/v1/PodDisruptionBudget',
      { name: 'db' },
      { spec: { maxUnavailable: '25%' } },
    );
    assert.deepEqual(cellsOf(p, pct).slice(1, 4), ['N/A', '25%', 0]);
  });

  void it('priorityclasses', () => {
    const p = tablePrinterFor('priorityclasses.scheduling.k8s.io');
    assert.deepEqual(columnNames(p), [
      'Name',
      'Value',
      'Global-Default',
      'Age',
      'PreemptionPolicy',
    ]);
    const pc = obj(
      'scheduling.k8s.io/v1/PriorityClass',
      { name: 'system-node-critical' },
      {
        value: 2000001000,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    );
    assert.deepEqual(cellsOf(p, pc), [
      'system-node-critical',
      2000001000,
      false,
      '5d',
      'PreemptLowerPriority',
    ]);
  });

  void it('endpointslices', () => {
    const p = tablePrinterFor('endpointslices.discovery.k8s.io');
    assert.deepEqual(columnNames(p), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    const es = obj(
      'discovery.k8s.io/v1/EndpointSlice',
      { name: 'web-abc12' },
      {
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80 }, { name: 'named' }, {}, { port: 9090 }],
        endpoints: [
          { addresses: ['10.0.0.1'] },
          { addresses: ['10.0.0.2', '10.0.0.3'] },
          { addresses: ['10.0.0.4'] },
        ],
      },
    );
    assert.deepEqual(cellsOf(p, es), [
      'web-abc12',
      'IPv4',
      '80,named,* + 1 more...',
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
      '5d',
    ]);
    const empty = obj('discovery.k8s.io/v1/EndpointSlice', { name: 'e' }, { addressType: 'IPv6' });
    assert.deepEqual(cellsOf(p, empty).slice(1, 4), ['IPv6', '<unset>', '<unset>']);
  });

  void describe('networking', () => {
    void it('ingresses', () => {
      const p = tablePrinterFor('ingresses.networking.k8s.io');
      assert.deepEqual(columnNames(p), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
      const ing = obj(
        'networking.k8s.io/v1/Ingress',
        { name: 'shop' },
        {
          spec: {
            ingressClassName: 'alb',
            rules: [
              { host: 'a.example.com' },
              {},
              { host: 'b.example.com' },
              { host: 'c.example.com' },
            ],
            tls: [{ hosts: ['a.example.com'] }],
          },
          status: { loadBalancer: { ingress: [{ hostname: 'k8s-shop.elb.amazonaws.com' }] } },
        },
      );
      assert.deepEqual(cellsOf(p, ing), [
        'shop',
        'alb',
        'a.example.com,b.example.com,c.example.com',
        'k8s-shop.elb.amazonaws.com',
        '80, 443',
        '5d',
      ]);
      const more = obj(
        'networking.k8s.io/v1/Ingress',
        { name: 'm' },
        {
          spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, {}, { host: 'e' }] },
        },
      );
      assert.deepEqual(cellsOf(p, more).slice(1, 5), ['<none>', 'a,b,c + 2 more...', '', '80']);
      const catchAll = obj(
        'networking.k8s.io/v1/Ingress',
        { name: 'c' },
        { spec: { rules: [{}] } },
      );
      assert.equal(cellsOf(p, catchAll)[2], '*');
    });

    void it('ingressclasses and networkpolicies', () => {
      const ic = tablePrinterFor('ingressclasses.networking.k8s.io');
      assert.deepEqual(columnNames(ic), ['Name', 'Controller', 'Parameters', 'Age']);
      const cls = obj(
        'networking.k8s.io/v1/IngressClass',
        { name: 'alb' },
        {
          spec: {
            controller: 'ingress.k8s.aws/alb',
            parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: 'alb' },
          },
        },
      );
      assert.deepEqual(cellsOf(ic, cls), [
        'alb',
        'ingress.k8s.aws/alb',
        'IngressClassParams.elbv2.k8s.aws/alb',
        '5d',
      ]);
      const np = tablePrinterFor('networkpolicies.networking.k8s.io');
      const pol = obj(
        'networking.k8s.io/v1/NetworkPolicy',
        { name: 'deny' },
        { spec: { podSelector: {} } },
      );
      assert.deepEqual(columnNames(np), ['Name', 'Pod-Selector', 'Age']);
      assert.deepEqual(cellsOf(np, pol), ['deny', '<none>', '5d']);
    });
  });

  void it('runtimeclasses', () => {
    const p = tablePrinterFor('runtimeclasses.node.k8s.io');
    assert.deepEqual(columnNames(p), ['Name', 'Handler', 'Age']);
    assert.equal(p.columns[1]?.description, '');
    const rc = obj('node.k8s.io/v1/RuntimeClass', { name: 'firecracker' }, { handler: 'kata-fc' });
    assert.deepEqual(cellsOf(p, rc), ['firecracker', 'kata-fc', '5d']);
  });

  void describe('rbac', () => {
    const subjects = [
      { kind: 'User', name: 'alice' },
      { kind: 'Group', name: 'system:masters' },
      { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
      { kind: 'User', name: 'bob' },
      { kind: 'Robot', name: 'r2' },
    ];

    void it('rolebindings and clusterrolebindings', () => {
      const rb = tablePrinterFor('rolebindings.rbac.authorization.k8s.io');
      assert.deepEqual(columnNames(rb), [
        'Name',
        'Role',
        'Age',
        'Users*',
        'Groups*',
        'ServiceAccounts*',
      ]);
      assert.equal(rb.columns[3]?.description, 'Users in the roleBinding');
      const binding = obj(
        'rbac.authorization.k8s.io/v1/RoleBinding',
        { name: 'edit' },
        {
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects,
        },
      );
      assert.deepEqual(cellsOf(rb, binding), [
        'edit',
        'ClusterRole/edit',
        '5d',
        'alice, bob',
        'system:masters',
        'ci/builder',
      ]);
      const crb = tablePrinterFor('clusterrolebindings.rbac.authorization.k8s.io');
      assert.equal(crb.columns[5]?.description, 'ServiceAccounts in the clusterRoleBinding');
      const empty = obj(
        'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
        { name: 'x' },
        {
          roleRef: { kind: 'ClusterRole', name: 'view' },
        },
      );
      assert.deepEqual(cellsOf(crb, empty), ['x', 'ClusterRole/view', '5d', '', '', '']);
    });

    void it('roles and clusterroles use the default printer', () => {
      assert.equal(tablePrinterFor('roles.rbac.authorization.k8s.io'), defaultTablePrinter);
      assert.equal(tablePrinterFor('clusterroles.rbac.authorization.k8s.io'), defaultTablePrinter);
    });
  });

  void it('webhook configurations', () => {
    for (const gr of [
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
      'validatingwebhookconfigurations.admissionregistration.k8s.io',
    ]) {
      const p = tablePrinterFor(gr);
      assert.deepEqual(columnNames(p), ['Name', 'Webhooks', 'Age']);
      assert.equal(p.columns[1]?.type, 'integer');
      const cfg = obj(
        'admissionregistration.k8s.io/v1/X',
        { name: 'fargate' },
        {
          webhooks: [{ name: 'a.example.com' }, { name: 'b.example.com' }],
        },
      );
      assert.deepEqual(cellsOf(p, cfg), ['fargate', 2, '5d']);
    }
  });

  void it('the default printer: Name and Created At (RFC 3339, UTC, whole seconds)', () => {
    const p = tablePrinterFor('customresourcedefinitions.apiextensions.k8s.io');
    assert.equal(p, defaultTablePrinter);
    assert.deepEqual(p.columns, [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description:
          'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
        priority: 0,
      },
      {
        name: 'Created At',
        type: 'date',
        format: '',
        description:
          'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
        priority: 0,
      },
    ]);
    const crd = obj('apiextensions.k8s.io/v1/CustomResourceDefinition', {
      name: 'widgets.example.com',
      creationTimestamp: '2025-05-31T23:30:00.250+02:00',
    });
    assert.deepEqual(cellsOf(p, crd), ['widgets.example.com', '2025-05-31T21:30:00Z']);
    const noTime = { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } };
    assert.deepEqual(cellsOf(p, noTime), ['n', '0001-01-01T00:00:00Z']);
    assert.equal(tablePrinterFor('gizmos.example.com'), defaultTablePrinter);
    // `now` is irrelevant to the default printer.
    assert.deepEqual(p.cells(crd, { now: NOW + 1000 * SECOND }), cellsOf(p, crd));
  });
});

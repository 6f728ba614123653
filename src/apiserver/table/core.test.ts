import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tablePrinterFor } from './registry.ts';
import { ago, cellsOf, columnNames, DAY, HOUR, MINUTE, NOW, obj, SECOND } from './test-fixtures.ts';

void describe('core/v1 printers', () => {
  void it('namespaces', () => {
    const p = tablePrinterFor('namespaces');
    assert.deepEqual(columnNames(p), ['Name', 'Status', 'Age']);
    const ns = obj(
      'v1/Namespace',
      { name: 'kube-system', creationTimestamp: ago(40 * DAY) },
      {
        status: { phase: 'Active' },
      },
    );
    assert.deepEqual(cellsOf(p, ns), ['kube-system', 'Active', '40d']);
  });

  void describe('nodes', () => {
    const p = tablePrinterFor('nodes');
    const node = (extra: Record<string, unknown>, labels: Record<string, string> = {}) =>
      obj(
        'v1/Node',
        { name: 'fargate-ip-192-168-1-10', labels, creationTimestamp: ago(26 * HOUR) },
        extra,
      );

    void it('has upstream columns', () => {
      assert.deepEqual(columnNames(p), [
        'Name',
        'Status',
        'Roles',
        'Age',
        'Version',
        'Internal-IP*',
        'External-IP*',
        'OS-Image*',
        'Kernel-Version*',
        'Container-Runtime*',
      ]);
    });

    void it('prints a ready node with roles and addresses', () => {
      const n = node(
        {
          status: {
            conditions: [
              { type: 'MemoryPressure', status: 'False' },
              { type: 'Ready', status: 'True' },
            ],
            addresses: [
              { type: 'Hostname', address: 'ip-192-168-1-10' },
              { type: 'InternalIP', address: '192.168.1.10' },
              { type: 'ExternalIP', address: '54.1.2.3' },
            ],
            nodeInfo: {
              kubeletVersion: 'v1.32.3-eks-4096722',
              osImage: 'Amazon Linux 2023',
              kernelVersion: '6.1.130',
              containerRuntimeVersion: 'containerd://1.7.27',
            },
          },
        },
        {
          'node-role.kubernetes.io/worker': '',
          'node-role.kubernetes.io/control-plane': '',
          'kubernetes.io/role': 'fargate',
          'node-role.kubernetes.io/': 'ignored',
        },
      );
      assert.deepEqual(cellsOf(p, n), [
        'fargate-ip-192-168-1-10',
        'Ready',
        'control-plane,fargate,worker',
        '26h',
        'v1.32.3-eks-4096722',
        '192.168.1.10',
        '54.1.2.3',
        'Amazon Linux 2023',
        '6.1.130',
        'containerd://1.7.27',
      ]);
    });

    void it('prints NotReady/Unknown, SchedulingDisabled and placeholders', () => {
      const cordoned = node({
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
      });
      assert.deepEqual(cellsOf(p, cordoned), [
        'fargate-ip-192-168-1-10',
        'NotReady,SchedulingDisabled',
        '<none>',
        '26h',
        '',
        '<none>',
        '<none>',
        '<unknown>',
        '<unknown>',
        '<unknown>',
      ]);
      assert.equal(cellsOf(p, node({}))[1], 'Unknown');
    });
  });

  void describe('services', () => {
    const p = tablePrinterFor('services');
    const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
      obj('v1/Service', { name: 'web', creationTimestamp: ago(90 * SECOND) }, { spec, status });

    void it('prints a ClusterIP service', () => {
      assert.deepEqual(columnNames(p), [
        'Name',
        'Type',
        'Cluster-IP',
        'External-IP',
        'Port(s)',
        'Age',
        'Selector*',
      ]);
      const s = svc({
        type: 'ClusterIP',
        clusterIP: '10.100.12.7',
        clusterIPs: ['10.100.12.7'],
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
        selector: { app: 'web', tier: 'frontend' },
      });
      assert.deepEqual(cellsOf(p, s), [
        'web',
        'ClusterIP',
        '10.100.12.7',
        '<none>',
        '80/TCP,53/UDP',
        '90s',
        'app=web,tier=frontend',
      ]);
    });

    void it('prints node ports, pending and provisioned load balancers', () => {
      const ports = [{ port: 443, nodePort: 31443, protocol: 'TCP' }];
      const pending = svc({ type: 'LoadBalancer', clusterIPs: ['10.100.0.9'], ports });
      assert.deepEqual(cellsOf(p, pending).slice(1, 5), [
        'LoadBalancer',
        '10.100.0.9',
        '<pending>',
        '443:31443/TCP',
      ]);
      const lb = svc(
        { type: 'LoadBalancer', clusterIPs: ['10.100.0.9'], ports, externalIPs: ['1.1.1.1'] },
        {
          loadBalancer: {
            ingress: [
              { hostname: 'abc.elb.amazonaws.com' },
              { ip: '52.0.0.1' },
              { ip: '52.0.0.1' },
            ],
          },
        },
      );
      assert.equal(cellsOf(p, lb)[3], '52.0.0.1,abc.elb.amazonaws.com,1.1.1.1');
      const np = svc({
        type: 'NodePort',
        clusterIP: '10.100.0.10',
        ports,
        externalIPs: ['2.2.2.2'],
      });
      assert.deepEqual(cellsOf(p, np).slice(1, 5), [
        'NodePort',
        '10.100.0.10',
        '2.2.2.2',
        '443:31443/TCP',
      ]);
    });

    void it('prints headless, ExternalName and port-less services', () => {
      const headless = svc({
        type: 'ClusterIP',
        clusterIP: 'None',
        clusterIPs: ['None'],
        selector: { app: 'db' },
      });
      assert.deepEqual(cellsOf(p, headless).slice(1, 5), ['ClusterIP', 'None', '<none>', '<none>']);
      const ext = svc({ type: 'ExternalName', externalName: 'db.example.com' });
      assert.deepEqual(cellsOf(p, ext).slice(1, 7), [
        'ExternalName',
        '<none>',
        'db.example.com',
        '<none>',
        '90s',
        '<none>',
      ]);
      assert.equal(cellsOf(p, svc({}))[3], '<unknown>');
    });
  });

  void it('endpoints', () => {
    const p = tablePrinterFor('endpoints');
    assert.deepEqual(columnNames(p), ['Name', 'Endpoints', 'Age']);
    const ep = obj(
      'v1/Endpoints',
      { name: 'web' },
      {
        subsets: [
          {
            addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
            ports: [
              { name: 'http', port: 8080 },
              { name: 'metrics', port: 9090 },
            ],
          },
          { addresses: [{ ip: 'fd00::3' }] },
        ],
      },
    );
    assert.deepEqual(cellsOf(p, ep), [
      'web',
      '10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:9090 + 2 more...',
      '5d',
    ]);
    const v6 = obj(
      'v1/Endpoints',
      { name: 'v6' },
      {
        subsets: [{ addresses: [{ ip: 'fd00::3' }], ports: [{ port: 53 }] }],
      },
    );
    assert.equal(cellsOf(p, v6)[1], '[fd00::3]:53');
    assert.equal(cellsOf(p, obj('v1/Endpoints', { name: 'none' }))[1], '<none>');
  });

  void it('configmaps, secrets and serviceaccounts', () => {
    const cm = obj(
      'v1/ConfigMap',
      { name: 'kube-root-ca.crt' },
      {
        data: { 'ca.crt': 'x', extra: 'y' },
        binaryData: { blob: 'AA==' },
      },
    );
    assert.deepEqual(columnNames(tablePrinterFor('configmaps')), ['Name', 'Data', 'Age']);
    assert.deepEqual(cellsOf(tablePrinterFor('configmaps'), cm), ['kube-root-ca.crt', 3, '5d']);

    const secret = obj(
      'v1/Secret',
      { name: 'registry' },
      {
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': 'e30=' },
      },
    );
    assert.deepEqual(columnNames(tablePrinterFor('secrets')), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(cellsOf(tablePrinterFor('secrets'), secret), [
      'registry',
      'kubernetes.io/dockerconfigjson',
      1,
      '5d',
    ]);

    const sa = obj('v1/ServiceAccount', { name: 'default' });
    assert.deepEqual(columnNames(tablePrinterFor('serviceaccounts')), ['Name', 'Secrets', 'Age']);
    assert.deepEqual(cellsOf(tablePrinterFor('serviceaccounts'), sa), ['default', 0, '5d']);
  });

  void describe('persistent volumes', () => {
    const pvPrinter = tablePrinterFor('persistentvolumes');
    const pvcPrinter = tablePrinterFor('persistentvolumeclaims');

    void it('prints a bound PV', () => {
      assert.deepEqual(columnNames(pvPrinter), [
        'Name',
        'Capacity',
        'Access Modes',
        'Reclaim Policy',
        'Status',
        'Claim',
        'StorageClass',
        'VolumeAttributesClass',
        'Reason',
        'Age',
        'VolumeMode*',
      ]);
      const pv = obj(
        'v1/PersistentVolume',
        { name: 'pv-1', creationTimestamp: ago(12 * MINUTE) },
        {
          spec: {
            capacity: { storage: '1024Mi' },
            accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            claimRef: { namespace: 'default', name: 'data' },
            storageClassName: 'gp3',
            volumeMode: 'Filesystem',
          },
          status: { phase: 'Bound' },
        },
      );
      assert.deepEqual(cellsOf(pvPrinter, pv), [
        'pv-1',
        '1Gi',
        'RWO,RWX',
        'Retain',
        'Bound',
        'default/data',
        'gp3',
        '<unset>',
        '',
        '12m',
        'Filesystem',
      ]);
    });

    void it('prints Terminating and the beta storage-class annotation', () => {
      const pv = obj(
        'v1/PersistentVolume',
        {
          name: 'old',
          deletionTimestamp: ago(0),
          annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' },
        },
        { spec: { storageClassName: 'gp3' }, status: { phase: 'Released', reason: 'Lost' } },
      );
      assert.deepEqual(cellsOf(pvPrinter, pv).slice(1, 11), [
        '0',
        '',
        '',
        'Terminating',
        '',
        'legacy',
        '<unset>',
        'Lost',
        '5d',
        '<unset>',
      ]);
    });

    void it('prints bound and pending claims', () => {
      assert.deepEqual(columnNames(pvcPrinter), [
        'Name',
        'Status',
        'Volume',
        'Capacity',
        'Access Modes',
        'StorageClass',
        'VolumeAttributesClass',
        'Age',
        'VolumeMode*',
      ]);
      const bound = obj(
        'v1/PersistentVolumeClaim',
        { name: 'data' },
        {
          spec: {
            volumeName: 'pv-1',
            storageClassName: 'gp3',
            volumeAttributesClassName: 'fast',
            resources: { requests: { storage: '1Gi' } },
            volumeMode: 'Block',
          },
          status: {
            phase: 'Bound',
            capacity: { storage: '1.5Gi' },
            accessModes: ['ReadWriteOncePod'],
          },
        },
      );
      assert.deepEqual(cellsOf(pvcPrinter, bound), [
        'data',
        'Bound',
        'pv-1',
        '1536Mi',
        'RWOP',
        'gp3',
        'fast',
        '5d',
        'Block',
      ]);
      const pending = obj(
        'v1/PersistentVolumeClaim',
        { name: 'wait' },
        {
          spec: { resources: { requests: { storage: '1Gi' } } },
          status: { phase: 'Pending' },
        },
      );
      assert.deepEqual(cellsOf(pvcPrinter, pending), [
        'wait',
        'Pending',
        '',
        '',
        '',
        '',
        '<unset>',
        '5d',
        '<unset>',
      ]);
    });
  });

  void it('resourcequotas', () => {
    const p = tablePrinterFor('resourcequotas');
    assert.deepEqual(columnNames(p), ['Name', 'Request', 'Limit', 'Age']);
    const rq = obj(
      'v1/ResourceQuota',
      { name: 'compute' },
      {
        status: {
          hard: {
            'limits.cpu': '4',
            'limits.memory': '8Gi',
            pods: '10',
            'requests.cpu': '2000m',
            'requests.memory': '4096Mi',
          },
          used: {
            'limits.cpu': '500m',
            'requests.cpu': '0.25',
            pods: '3',
            'requests.memory': '256Mi',
          },
        },
      },
    );
    assert.deepEqual(cellsOf(p, rq), [
      'compute',
      'pods: 3/10, requests.cpu: 250m/2, requests.memory: 256Mi/4Gi',
      'limits.cpu: 500m/4, limits.memory: 0/8Gi',
      '5d',
    ]);
  });

  void it('podtemplates', () => {
    const p = tablePrinterFor('podtemplates');
    assert.deepEqual(columnNames(p), ['Name', 'Containers', 'Images', 'Pod Labels']);
    const pt = obj(
      'v1/PodTemplate',
      { name: 'tmpl' },
      {
        template: {
          metadata: { labels: { tier: 'web', app: 'shop' } },
          spec: {
            containers: [
              { name: 'app', image: 'shop:2' },
              { name: 'log', image: 'fluent-bit' },
            ],
          },
        },
      },
    );
    assert.deepEqual(cellsOf(p, pt), ['tmpl', 'app,log', 'shop:2,fluent-bit', 'app=shop,tier=web']);
  });

  void describe('events', () => {
    const p = tablePrinterFor('events');

    void it('has upstream columns', () => {
      assert.deepEqual(columnNames(p), [
        'Last Seen',
        'Type',
        'Reason',
        'Object',
        'Subobject*',
        'Source*',
        'Message',
        'First Seen*',
        'Count*',
        'Name*',
      ]);
      assert.equal(p.columns[9]?.format, 'name');
    });

    void it('prints a kubelet-style event', () => {
      const ev = obj(
        'v1/Event',
        { name: 'web-1.17f3a', namespace: 'default' },
        {
          involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
          reason: 'Pulled',
          message: 'Successfully pulled image "nginx:1.27"\n',
          source: { component: 'kubelet', host: 'fargate-ip-10-0-1-5' },
          firstTimestamp: ago(10 * MINUTE),
          lastTimestamp: ago(2 * MINUTE),
          count: 4,
          type: 'Normal',
        },
      );
      assert.deepEqual(cellsOf(p, ev), [
        '2m',
        'Normal',
        'Pulled',
        'pod/web-1',
        'spec.containers{app}',
        'kubelet, fargate-ip-10-0-1-5',
        'Successfully pulled image "nginx:1.27"',
        '10m',
        4,
        'web-1.17f3a',
      ]);
    });

    void it('prints a new-API event: eventTime, series and reporting fields', () => {
      const ev = obj(
        'v1/Event',
        { name: 'ev2' },
        {
          involvedObject: { kind: 'Deployment', name: 'web' },
          reason: 'ScalingReplicaSet',
          message: 'Scaled up',
          eventTime: new Date(NOW - 30 * SECOND).toISOString().replace('Z', '000Z'),
          reportingComponent: 'deployment-controller',
          reportingInstance: 'kiln-1',
          series: { count: 7, lastObservedTime: new Date(NOW - 5 * SECOND).toISOString() },
          type: 'Normal',
        },
      );
      assert.deepEqual(cellsOf(p, ev), [
        '5s',
        'Normal',
        'ScalingReplicaSet',
        'deployment/web',
        '',
        'deployment-controller, kiln-1',
        'Scaled up',
        '30s',
        7,
        'ev2',
      ]);
    });

    void it('defaults a singleton count to 1 and unknown times to <unknown>', () => {
      const ev = obj(
        'v1/Event',
        { name: 'ev3' },
        {
          involvedObject: { kind: 'Node' },
          source: { component: 'kiln' },
          type: 'Warning',
        },
      );
      assert.deepEqual(cellsOf(p, ev), [
        '<unknown>',
        'Warning',
        '',
        'node',
        '',
        'kiln',
        '',
        '<unknown>',
        1,
        'ev3',
      ]);
    });
  });

  void it('limitranges use the default printer', () => {
    const p = tablePrinterFor('limitranges');
    assert.deepEqual(columnNames(p), ['Name', 'Created At']);
    const lr = obj('v1/LimitRange', {
      name: 'limits',
      creationTimestamp: '2025-05-01T08:09:10Z',
    });
    assert.deepEqual(cellsOf(p, lr), ['limits', '2025-05-01T08:09:10Z']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { buildTable, tablePrinterFor } from './index.ts';
import { NOW } from './test-fixtures.ts';

const pod: KubeObject = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    labels: { app: 'web' },
    name: 'web-1',
    resourceVersion: '41',
    namespace: 'default',
    uid: '6f1c',
    creationTimestamp: '2025-06-01T11:59:00Z',
  },
  spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'n1' },
  status: {
    phase: 'Succeeded',
    podIPs: [{ ip: '10.0.0.5' }],
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed' } },
      },
    ],
  },
};

const namespace: KubeObject = {
  kind: 'Namespace',
  apiVersion: 'v1',
  metadata: { name: 'default', creationTimestamp: '2025-05-31T12:00:00Z' },
  status: { phase: 'Active' },
};

void describe('buildTable', () => {
  void it('renders a Table exactly as kube-apiserver serialises it', () => {
    const table = buildTable({
      printer: tablePrinterFor('namespaces'),
      objects: [namespace],
      resourceVersion: '123',
      includeObject: 'Metadata',
      now: NOW,
    });
    const nameDoc = tablePrinterFor('namespaces').columns[0]?.description ?? '';
    const ageDoc = tablePrinterFor('namespaces').columns[2]?.description ?? '';
    assert.equal(
      JSON.stringify(table),
      '{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"123"},' +
        `"columnDefinitions":[{"name":"Name","type":"string","format":"name","description":${JSON.stringify(nameDoc)},"priority":0},` +
        '{"name":"Status","type":"string","format":"","description":"The status of the namespace","priority":0},' +
        `{"name":"Age","type":"string","format":"","description":${JSON.stringify(ageDoc)},"priority":0}],` +
        '"rows":[{"cells":["default","Active","24h"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",' +
        '"metadata":{"name":"default","creationTimestamp":"2025-05-31T12:00:00Z"}}}]}',
    );
  });

  void it('attaches PartialObjectMetadata in ObjectMeta field order, with row conditions', () => {
    const table = buildTable({
      printer: tablePrinterFor('pods'),
      objects: [pod],
      resourceVersion: '50',
      continueToken: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
      remainingItemCount: 7,
      includeObject: 'Metadata',
      now: NOW,
    });
    assert.deepEqual(table['metadata'], {
      resourceVersion: '50',
      continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
      remainingItemCount: 7,
    });
    const rows = table['rows'] as {
      cells: unknown[];
      conditions?: unknown;
      object: { metadata: object };
    }[];
    const row = rows[0];
    assert.ok(row !== undefined && rows.length === 1);
    assert.deepEqual(row.cells, [
      'web-1',
      '0/1',
      'Completed',
      '0',
      '60s',
      '10.0.0.5',
      'n1',
      '<none>',
      '<none>',
    ]);
    assert.deepEqual(row.conditions, [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    assert.deepEqual(Object.keys(row), ['cells', 'conditions', 'object']);
    assert.deepEqual(Object.keys(row.object.metadata), [
      'name',
      'namespace',
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'labels',
    ]);
  });

  void it('sends a null creationTimestamp in metadata when the object has none', () => {
    const table = buildTable({
      printer: tablePrinterFor('namespaces'),
      objects: [{ metadata: { name: 'x' } }],
      resourceVersion: '1',
      includeObject: 'Metadata',
      now: NOW,
    });
    const rows = table['rows'] as { object: unknown }[];
    assert.deepEqual(rows[0]?.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'x', creationTimestamp: null },
    });
  });

  void it('includeObject=Object embeds the full object; None sends object: null', () => {
    const full = buildTable({
      printer: tablePrinterFor('pods'),
      objects: [pod],
      resourceVersion: '50',
      includeObject: 'Object',
      now: NOW,
    });
    assert.deepEqual((full['rows'] as { object: unknown }[])[0]?.object, pod);
    const none = buildTable({
      printer: tablePrinterFor('namespaces'),
      objects: [namespace],
      resourceVersion: '50',
      includeObject: 'None',
      now: NOW,
    });
    assert.equal(
      JSON.stringify(none['rows']),
      '[{"cells":["default","Active","24h"],"object":null}]',
    );
  });

  void it('omits headers on request and an empty resourceVersion; empty lists have empty rows', () => {
    const table = buildTable({
      printer: tablePrinterFor('pods'),
      objects: [],
      resourceVersion: '',
      includeObject: 'Metadata',
      now: NOW,
      noHeaders: true,
    });
    assert.equal(
      JSON.stringify(table),
      '{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},"columnDefinitions":null,"rows":[]}',
    );
  });
});

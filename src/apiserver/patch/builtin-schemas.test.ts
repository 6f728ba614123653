import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinPatchSchema, ObjectMeta, PodSpec, PodTemplateSpec } from './builtin-schemas.ts';
import { fieldMeta, type StructPatchSchema } from './schema.ts';

function typeAt(
  kind: [string, string, string],
  path: readonly string[],
): StructPatchSchema | undefined {
  const [group, version, name] = kind;
  let schema = builtinPatchSchema({ group, version, kind: name });
  for (const step of path) schema = schema && fieldMeta(schema, step).type;
  return schema;
}

void describe('builtin strategic merge schemas', () => {
  void it('share one PodTemplateSpec (and so one PodSpec) across every workload kind', () => {
    const templates: [[string, string, string], string[]][] = [
      [['', 'v1', 'PodTemplate'], ['template']],
      [
        ['', 'v1', 'ReplicationController'],
        ['spec', 'template'],
      ],
      [
        ['apps', 'v1', 'Deployment'],
        ['spec', 'template'],
      ],
      [
        ['apps', 'v1', 'ReplicaSet'],
        ['spec', 'template'],
      ],
      [
        ['apps', 'v1', 'StatefulSet'],
        ['spec', 'template'],
      ],
      [
        ['apps', 'v1', 'DaemonSet'],
        ['spec', 'template'],
      ],
      [
        ['batch', 'v1', 'Job'],
        ['spec', 'template'],
      ],
      [
        ['batch', 'v1', 'CronJob'],
        ['spec', 'jobTemplate', 'spec', 'template'],
      ],
    ];
    for (const [kind, path] of templates)
      assert.equal(typeAt(kind, path), PodTemplateSpec, kind[2]);
    assert.equal(typeAt(['', 'v1', 'Pod'], ['spec']), PodSpec);
  });

  void it('give every kind the ObjectMeta table', () => {
    for (const kind of ['Pod', 'ConfigMap', 'Node', 'Secret'] as const) {
      assert.equal(typeAt(['', 'v1', kind], ['metadata']), ObjectMeta);
    }
    assert.equal(
      typeAt(['apps', 'v1', 'Deployment'], ['spec', 'template', 'metadata']),
      ObjectMeta,
    );
  });

  void it('carry the Go tags verbatim', () => {
    assert.deepEqual(fieldMeta(ObjectMeta, 'ownerReferences'), {
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
    });
    assert.deepEqual(fieldMeta(ObjectMeta, 'finalizers'), { patchStrategy: 'merge' });
    const volumes = fieldMeta(PodSpec, 'volumes');
    assert.equal(volumes.patchStrategy, 'merge,retainKeys');
    assert.equal(volumes.patchMergeKey, 'name');
    const deploymentSpec = typeAt(['apps', 'v1', 'Deployment'], ['spec']);
    assert.ok(deploymentSpec);
    assert.deepEqual(fieldMeta(deploymentSpec, 'strategy'), { patchStrategy: 'retainKeys' });
    assert.deepEqual(fieldMeta(PodSpec, 'tolerations'), {});
  });
});

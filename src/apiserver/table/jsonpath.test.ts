import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsonPath, findAll, JsonPathError } from './jsonpath.ts';

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: {
    name: 'w1',
    labels: { 'app.kubernetes.io/name': 'shop', tier: 'web' },
  },
  spec: { replicas: 3, ratio: 0.5, enabled: true, tags: ['a', 'b', 'c'], nothing: null },
  status: {
    conditions: [
      { type: 'Synced', status: 'True', observedGeneration: 4 },
      { type: 'Ready', status: 'False', reason: 'Waiting', observedGeneration: 3 },
      { type: 'Ready', status: 'True', observedGeneration: 5 },
    ],
    endpoints: [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.2' }],
  },
};

function find(path: string): unknown[] {
  return findAll(compileJsonPath(path), widget);
}

void describe('JSONPath subset', () => {
  void it('walks fields: .a.b', () => {
    assert.deepEqual(find('.spec.replicas'), [3]);
    assert.deepEqual(find('.metadata.name'), ['w1']);
    assert.deepEqual(find('$.spec.enabled'), [true]);
    assert.deepEqual(find('.spec'), [widget.spec]);
  });

  void it('yields nothing for missing keys (AllowMissingKeys)', () => {
    assert.deepEqual(find('.spec.missing'), []);
    assert.deepEqual(find('.spec.replicas.deeper'), []);
    assert.deepEqual(find('.spec.tags.name'), []);
  });

  void it('keeps explicit nulls as values', () => {
    assert.deepEqual(find('.spec.nothing'), [null]);
  });

  void it('indexes arrays: .a[0].b, negative indexes, slices', () => {
    assert.deepEqual(find('.status.conditions[0].type'), ['Synced']);
    assert.deepEqual(find('.spec.tags[-1]'), ['c']);
    assert.deepEqual(find('.spec.tags[1:]'), ['b', 'c']);
    assert.deepEqual(find('.spec.tags[:2]'), ['a', 'b']);
    assert.deepEqual(find('.spec.tags[0:0]'), []);
  });

  void it('raises on out-of-range indexes, as upstream does even with AllowMissingKeys', () => {
    assert.throws(() => find('.spec.tags[5]'), JsonPathError);
    assert.throws(() => find('.spec.tags[-4]'), JsonPathError);
  });

  void it('expands wildcards: .a[*].b and .a.*', () => {
    assert.deepEqual(find('.status.endpoints[*].ip'), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(find('.status.endpoints[*].port'), [80]);
    assert.deepEqual(find('.metadata.labels.*'), ['shop', 'web']);
    assert.deepEqual(find('.metadata.labels[*]'), []);
  });

  void it('reads keys with dots when escaped; a quoted key is re-parsed as a path, as upstream', () => {
    assert.deepEqual(find('.metadata.labels.app\\.kubernetes\\.io/name'), ['shop']);
    assert.deepEqual(find(".metadata.labels['tier']"), ['web']);
    assert.deepEqual(find(".metadata.labels['app\\.kubernetes\\.io/name']"), ['shop']);
    assert.deepEqual(find(".metadata.labels['app.kubernetes.io/name']"), []);
  });

  void it('filters: [?(@.type=="Ready")].status', () => {
    assert.deepEqual(find('.status.conditions[?(@.type=="Ready")].status'), ['False', 'True']);
    assert.deepEqual(find(".status.conditions[?(@.type=='Synced')].status"), ['True']);
    assert.deepEqual(find('.status.conditions[?(@.type != "Ready")].type'), ['Synced']);
    assert.deepEqual(find('.status.conditions[?(@.observedGeneration>3)].type'), [
      'Synced',
      'Ready',
    ]);
    assert.deepEqual(find('.status.conditions[?(@.observedGeneration<=3)].reason'), ['Waiting']);
    assert.deepEqual(find('.status.conditions[?(@.reason)].reason'), ['Waiting']);
    assert.deepEqual(find('.status.conditions[?(@.type=="Gone")].status'), []);
  });

  void it('raises where text/template comparison does', () => {
    assert.throws(
      () => find('.status.conditions[?(@.observedGeneration=="4")].type'),
      JsonPathError,
    );
    assert.throws(() => find('.spec[?(@.a=="b")]'), JsonPathError);
  });

  void it('rejects what client-go cannot parse', () => {
    for (const bad of [
      'spec',
      '.spec..replicas',
      '.spec.tags[a]',
      '.spec.tags[0,1]',
      '.spec.tags[0',
    ]) {
      assert.throws(() => compileJsonPath(bad), JsonPathError, bad);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LaunchTable, type Launch } from './launch-table.ts';

const launch = (node: string, vcpu = 0.25): Launch => ({
  uid: `uid-${node}`,
  node,
  ip: '10.0.0.1',
  vcpu,
  bound: false,
});

describe('LaunchTable', () => {
  it('finds the pod of a node, and forgets it with its launch', () => {
    const t = new LaunchTable();
    const a = launch('fargate-ip-10-0-0-1');
    t.set('ns/a', a);
    t.set('ns/b', launch('fargate-ip-10-0-0-2', 1));
    assert.equal(t.podOf('fargate-ip-10-0-0-1'), 'ns/a');
    assert.equal(t.vcpuInUse(), 1.25);
    t.deleteIf('ns/a', a);
    assert.equal(t.get('ns/a'), undefined);
    assert.equal(t.podOf('fargate-ip-10-0-0-1'), undefined);
    assert.equal(t.vcpuInUse(), 1);
  });

  it('keeps a newer launch of the same pod when an older one is torn down', () => {
    const t = new LaunchTable();
    const old = launch('fargate-ip-10-0-0-1');
    const newer = launch('fargate-ip-10-0-0-9');
    t.set('ns/a', old);
    t.set('ns/a', newer);
    assert.equal(t.podOf('fargate-ip-10-0-0-1'), undefined);
    t.deleteIf('ns/a', old);
    assert.equal(t.get('ns/a'), newer);
    assert.equal(t.podOf('fargate-ip-10-0-0-9'), 'ns/a');
  });
});

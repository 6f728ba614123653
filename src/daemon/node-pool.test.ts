import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTANCE_SHAPES } from '../aws/ec2/index.ts';
import { nodeCapacity, nodePool } from './node-pool.ts';

describe('node pool', () => {
  it('reports the capacity the kubelet reports on each offered instance type', () => {
    const m5 = INSTANCE_SHAPES['m5.large'];
    assert.ok(m5);
    assert.deepEqual(nodeCapacity(m5), { cpu: '2', memory: '7803Mi', pods: 29 });
    const t3 = INSTANCE_SHAPES['t3.medium'];
    assert.ok(t3);
    assert.deepEqual(nodeCapacity(t3), { cpu: '2', memory: '3854Mi', pods: 17 });
  });

  it('gives every node of a pool its instance type capacity, and refuses unknown types', () => {
    const nodes = nodePool({
      count: 2,
      instanceType: 'm5.xlarge',
      region: 'ap-northeast-2',
      nodegroup: 'ng-1',
    });
    assert.deepEqual(
      nodes.map((n) => [n.name, n.capacity]),
      [
        ['ip-10-0-1-10.ap-northeast-2.compute.internal', { cpu: '4', memory: '15811Mi', pods: 58 }],
        ['ip-10-0-2-10.ap-northeast-2.compute.internal', { cpu: '4', memory: '15811Mi', pods: 58 }],
      ],
    );
    assert.throws(
      () => nodePool({ count: 1, instanceType: 'x9.huge', region: 'us-east-1', nodegroup: 'n' }),
      /unknown instance type x9\.huge: use one of m5\.large, /,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTANCE_SHAPES } from '../aws/ec2/index.ts';
import { eksctlPoolPlacement, nodeCapacity, nodePool } from './node-pool.ts';

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
        [
          'ip-192-168-0-10.ap-northeast-2.compute.internal',
          { cpu: '4', memory: '15811Mi', pods: 58 },
        ],
        [
          'ip-192-168-32-10.ap-northeast-2.compute.internal',
          { cpu: '4', memory: '15811Mi', pods: 58 },
        ],
      ],
    );
    assert.throws(
      () => nodePool({ count: 1, instanceType: 'x9.huge', region: 'us-east-1', nodegroup: 'n' }),
      /unknown instance type x9\.huge: use one of m5\.large, /,
    );
  });

  it('places nodes in the eksctl public subnets, one AZ after another', () => {
    const at = eksctlPoolPlacement({ region: 'ap-northeast-2', count: 4, maxPods: 29 });
    assert.deepEqual(at, [
      { ip: '192.168.0.10', zone: 'ap-northeast-2a', podCidr: '192.168.16.0/27' },
      { ip: '192.168.32.10', zone: 'ap-northeast-2b', podCidr: '192.168.48.0/27' },
      { ip: '192.168.64.10', zone: 'ap-northeast-2c', podCidr: '192.168.80.0/27' },
      { ip: '192.168.0.11', zone: 'ap-northeast-2a', podCidr: '192.168.16.32/27' },
    ]);
    // The same inputs give the same nodes (a restarted daemon finds them again).
    assert.deepEqual(eksctlPoolPlacement({ region: 'ap-northeast-2', count: 4, maxPods: 29 }), at);
    assert.deepEqual(eksctlPoolPlacement({ region: 'ap-northeast-2', count: 0, maxPods: 29 }), []);
  });

  it("sizes the pods' block to the instance type's pods, and refuses pools that do not fit", () => {
    const block = (maxPods: number): string | undefined =>
      eksctlPoolPlacement({ region: 'us-east-1', count: 1, maxPods, vpcCidr: '10.1.0.0/16' })[0]
        ?.podCidr;
    assert.equal(block(11), '10.1.16.0/28');
    assert.equal(block(17), '10.1.16.0/27');
    assert.equal(block(58), '10.1.16.0/26');
    assert.equal(block(110), '10.1.16.0/25');
    assert.throws(
      () =>
        eksctlPoolPlacement({ region: 'us-east-1', count: 3, maxPods: 29, vpcCidr: '10.1.0.0/24' }),
      /do not fit the public subnets of us-east-1a/,
    );
  });

  it('labels and names each node by its placement', () => {
    const [a, b] = nodePool({
      count: 2,
      instanceType: 'm5.large',
      region: 'us-east-1',
      nodegroup: 'ng',
    });
    assert.ok(a && b);
    assert.equal(a.name, 'ip-192-168-0-10.ec2.internal');
    assert.equal(a.internalIp, '192.168.0.10');
    assert.equal(a.podCidr, '192.168.16.0/27');
    assert.equal(a.labels?.['topology.kubernetes.io/zone'], 'us-east-1a');
    assert.equal(b.labels?.['topology.kubernetes.io/zone'], 'us-east-1b');
    assert.match(b.providerId ?? '', /^aws:\/\/\/us-east-1b\/i-[0-9a-f]{17}$/);
    assert.equal(b.labels['kubernetes.io/hostname'], b.name);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPriceCatalogue } from '../../pricing/index.ts';
import { CostCompareError, parseWorkloads } from './manifests.ts';
import { buildCostModel, findCrossovers } from './model.ts';
import { allocatable, kubeReservedMilliCpu, kubeReservedMemoryMi } from './node-shape.ts';
import { packNodes, type PodGroup } from './packing.ts';

describe('allocatable (EKS AMI)', () => {
  const catalogue = loadPriceCatalogue();
  const cases: [type: string, milliCpu: number, memoryMi: number, pods: number][] = [
    // 2000m − (60 + 10); 7803Mi − (11 × 29 + 255) − 100.
    ['m5.large', 1930, 7129, 29],
    // 4000m − (60 + 10 + 5 + 5); 15811 − (11 × 58 + 255) − 100.
    ['m5.xlarge', 3920, 14818, 58],
    ['m5.2xlarge', 7910, 30635, 58],
    ['t3.medium', 1930, 3312, 17],
  ];
  for (const [type, milliCpu, memoryMi, pods] of cases) {
    it(type, () => {
      assert.deepEqual(allocatable(type, catalogue.ec2('us-east-1', type)), {
        milliCpu,
        memoryMi,
        pods,
      });
    });
  }
  it('caps pods at 110 whatever the ENI table says', () => {
    const big = {
      ...catalogue.ec2('us-east-1', 'm5.large'),
      vcpu: 96,
      memoryGib: 384,
      maxPods: 737,
    };
    assert.equal(allocatable('m5.24xlarge', big).pods, 110);
    assert.equal(kubeReservedMilliCpu(96_000), 60 + 10 + 10 + 230);
    assert.equal(kubeReservedMemoryMi(737), 8362);
  });
});

describe('packNodes', () => {
  const room = { milliCpu: 1780, memoryMi: 3312, pods: 15 };
  const need = (milliCpu: number, memoryMi: number) => ({ milliCpu, memoryMi });
  const cases: [name: string, groups: PodGroup[], nodes: number | undefined][] = [
    ['nothing', [], 0],
    ['one pod', [{ need: need(500, 512), count: 1 }], 1],
    ['cpu-bound: 3 per node', [{ need: need(500, 512), count: 10 }], 4],
    ['memory-bound: 2 per node', [{ need: need(100, 1500), count: 5 }], 3],
    ['pod-slot-bound: 15 per node', [{ need: need(1, 1), count: 31 }], 3],
    ['too big for a node', [{ need: need(2000, 512), count: 1 }], undefined],
    // FFD: the 1000m pods take a node each, the 250m pods fill the gaps (3 per node) first.
    [
      'small pods fill the big pods’ gaps',
      [
        { need: need(250, 100), count: 7 },
        { need: need(1000, 100), count: 2 },
      ],
      3,
    ],
  ];
  for (const [name, groups, nodes] of cases) {
    it(name, () => {
      assert.equal(packNodes(groups, room), nodes);
    });
  }
  it('handles thousands of replicas', () => {
    assert.equal(packNodes([{ need: need(500, 512), count: 30_000 }], room), 10_000);
  });
});

const MANIFESTS = `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: fluent-bit, namespace: logging }
spec:
  template:
    spec:
      containers: [{ name: f, image: f, resources: { requests: { cpu: 100m, memory: 200Mi } } }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: batch }
spec:
  parallelism: 4
  template:
    spec:
      containers: [{ name: j, image: j, resources: { requests: { cpu: "1", memory: 8Gi } } }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: { name: single, namespace: ns }
  spec:
    containers: [{ name: p, image: p }]
`;

describe('parseWorkloads', () => {
  it('reads the pod-making kinds, skips the rest and unwraps Lists', () => {
    const ws = parseWorkloads(MANIFESTS, 'm.yaml');
    assert.deepEqual(
      ws.map((w) => [w.kind, `${w.namespace}/${w.name}`, w.replicas, w.scalable, w.perNode]),
      [
        ['DaemonSet', 'logging/fluent-bit', 1, false, true],
        ['Job', 'default/batch', 4, true, false],
        ['Pod', 'ns/single', 1, false, false],
      ],
    );
  });
  it('names the file and document of a broken one', () => {
    assert.throws(
      () => parseWorkloads('kind: Deployment\nmetadata: {name: x}\n', 'bad.yaml'),
      (e: unknown) =>
        e instanceof CostCompareError && e.message.includes('bad.yaml: document 1: Deployment'),
    );
  });
});

describe('buildCostModel', () => {
  const model = buildCostModel({
    catalogue: loadPriceCatalogue(),
    region: 'us-east-1',
    instanceTypes: ['m5.large', 'm5.xlarge'],
    workloads: parseWorkloads(MANIFESTS, 'm.yaml'),
  });
  it('sizes each pod for Fargate (1 vCPU / 8 GiB + 256 MiB → 2 vCPU / 9 GB, the spec’s example)', () => {
    const job = model.costs.find((c) => c.workload.name === 'batch');
    assert.ok(job?.fargate.fits);
    assert.equal(job.fargate.annotation, '2vCPU 9GB');
    assert.equal(job.fargate.sizedMemoryMi, 8448);
    const single = model.costs.find((c) => c.workload.name === 'single');
    assert.ok(single?.fargate.fits);
    assert.equal(single.fargate.annotation, '0.25vCPU 0.5GB');
  });
  it('counts DaemonSets as node overhead on EC2, not as Fargate pods', () => {
    const p = model.at(undefined);
    assert.equal(p.pods, 5);
    // m5.large has 7129Mi − 200Mi (fluent-bit): no room for an 8Gi job pod.
    assert.deepEqual(
      p.ec2.map((o) => [o.instanceType, o.nodes]),
      [
        ['m5.large', undefined],
        ['m5.xlarge', 4],
      ],
    );
    assert.equal(p.bestEc2?.instanceType, 'm5.xlarge');
    const fargate = (2 * 0.04048 + 9 * 0.004445) * 4 + (0.25 * 0.04048 + 0.5 * 0.004445);
    assert.ok(Math.abs((p.fargateMonthly ?? 0) - fargate * 730) < 1e-9);
  });
  it('scales only scalable workloads', () => {
    assert.equal(model.at(10).pods, 11);
    assert.deepEqual(findCrossovers(model, 20), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { QuantityParseError } from '../apiserver/validation/quantity.ts';
import {
  capacityProvisionedAnnotation,
  FARGATE_STORAGE_TOO_LARGE_MESSAGE,
  FARGATE_TOO_LARGE_MESSAGE,
  parseCapacityProvisioned,
  provisionedEphemeralGiB,
  sizeFargatePod,
} from './sizing.ts';
import { FARGATE_SIZE_TABLES } from './sizing-table.ts';
import { FargateSizingError, type FargatePlatform, type FargatePod } from './types.ts';

type Res = Record<string, string>;
interface C {
  req?: Res;
  lim?: Res;
  sidecar?: boolean;
}

function container(name: string, c: C): Container {
  const resources: Container['resources'] = {};
  if (c.req) resources.requests = c.req;
  if (c.lim) resources.limits = c.lim;
  return {
    name,
    image: 'nginx',
    resources,
    ...(c.sidecar === true ? { restartPolicy: 'Always' } : {}),
  };
}

function pod(app: C[], init: C[] = []): FargatePod {
  return {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: app.map((c, i) => container(`app${String(i)}`, c)),
      initContainers: init.map((c, i) => container(`init${String(i)}`, c)),
    },
  };
}

const r = (cpu?: string, memory?: string): Res => ({
  ...(cpu === undefined ? {} : { cpu }),
  ...(memory === undefined ? {} : { memory }),
});

interface Case {
  name: string;
  pod: FargatePod;
  platform?: FargatePlatform;
  want: string;
  ephemeral?: number;
}

const cases: Case[] = [
  // The seed: 500m / 512Mi.
  { name: 'seed 500m/512Mi', pod: pod([{ req: r('500m', '512Mi') }]), want: '0.5vCPU 1GB' },
  // The user guide's example: 1 vCPU / 8 GB → 2 vCPU / 9 GB.
  { name: 'guide 1 vCPU / 8Gi', pod: pod([{ req: r('1', '8Gi') }]), want: '2vCPU 9GB' },
  { name: 'no requests', pod: pod([{}]), want: '0.25vCPU 0.5GB' },
  { name: 'no containers resources at all', pod: pod([{}, {}]), want: '0.25vCPU 0.5GB' },
  { name: 'cpu only 250m', pod: pod([{ req: r('250m') }]), want: '0.25vCPU 0.5GB' },
  { name: 'cpu 251m rounds to 0.5', pod: pod([{ req: r('251m') }]), want: '0.5vCPU 1GB' },
  {
    name: '256Mi + 256 = exactly 0.5GB',
    pod: pod([{ req: r('100m', '256Mi') }]),
    want: '0.25vCPU 0.5GB',
  },
  { name: '257Mi spills to 1GB', pod: pod([{ req: r('100m', '257Mi') }]), want: '0.25vCPU 1GB' },
  { name: '768Mi + 256 = 1GB', pod: pod([{ req: r('250m', '768Mi') }]), want: '0.25vCPU 1GB' },
  { name: '1792Mi + 256 = 2GB', pod: pod([{ req: r('250m', '1792Mi') }]), want: '0.25vCPU 2GB' },
  { name: '1793Mi needs 0.5 vCPU', pod: pod([{ req: r('250m', '1793Mi') }]), want: '0.5vCPU 3GB' },
  { name: 'decimal 1G', pod: pod([{ req: r('500m', '1G') }]), want: '0.5vCPU 2GB' },
  { name: 'cpu 1 mem tiny', pod: pod([{ req: r('1', '10Mi') }]), want: '1vCPU 2GB' },
  { name: '0.5 vCPU with 5GB → 1 vCPU', pod: pod([{ req: r('500m', '4Gi') }]), want: '1vCPU 5GB' },
  { name: '1 vCPU 7.75Gi fits 8', pod: pod([{ req: r('1', '7936Mi') }]), want: '1vCPU 8GB' },
  { name: 'cpu 1001m → 2 vCPU', pod: pod([{ req: r('1001m', '1Gi') }]), want: '2vCPU 4GB' },
  { name: 'cpu 3 → 4 vCPU min 8GB', pod: pod([{ req: r('3', '1Gi') }]), want: '4vCPU 8GB' },
  { name: '4 vCPU 29.75Gi → 30GB', pod: pod([{ req: r('4', '30208Mi') }]), want: '4vCPU 30GB' },
  { name: '4 vCPU 30Gi → 8 vCPU 32GB', pod: pod([{ req: r('4', '30Gi') }]), want: '8vCPU 32GB' },
  { name: '8 vCPU steps of 4GB', pod: pod([{ req: r('8', '17Gi') }]), want: '8vCPU 20GB' },
  { name: '16 vCPU min 32GB', pod: pod([{ req: r('9', '1Gi') }]), want: '16vCPU 32GB' },
  { name: '16 vCPU steps of 8GB', pod: pod([{ req: r('16', '33Gi') }]), want: '16vCPU 40GB' },
  {
    name: 'largest: 16 vCPU 119.75Gi',
    pod: pod([{ req: r('16', '122624Mi') }]),
    want: '16vCPU 120GB',
  },
  { name: 'memory 60Gi → 16 vCPU 64GB', pod: pod([{ req: r('1', '60Gi') }]), want: '16vCPU 64GB' },
  {
    name: 'sum of app containers',
    pod: pod([{ req: r('250m', '256Mi') }, { req: r('250m', '512Mi') }]),
    want: '0.5vCPU 1GB',
  },
  {
    name: 'three app containers',
    pod: pod([{ req: r('1', '1Gi') }, { req: r('1', '1Gi') }, { req: r('1', '1Gi') }]),
    want: '4vCPU 8GB',
  },
  {
    name: 'init larger than app',
    pod: pod([{ req: r('250m', '256Mi') }], [{ req: r('2', '4Gi') }]),
    want: '2vCPU 5GB',
  },
  {
    name: 'init smaller than app',
    pod: pod([{ req: r('1', '2Gi') }], [{ req: r('500m', '1Gi') }]),
    want: '1vCPU 3GB',
  },
  {
    name: 'max over inits, not sum',
    pod: pod([{}], [{ req: r('1', '1Gi') }, { req: r('1', '1Gi') }]),
    want: '1vCPU 2GB',
  },
  {
    name: 'per resource: cpu from init, memory from app',
    pod: pod([{ req: r('250m', '3Gi') }], [{ req: r('2', '1Gi') }]),
    want: '2vCPU 4GB',
  },
  {
    name: 'sidecar adds to app sum',
    pod: pod([{ req: r('500m', '512Mi') }], [{ req: r('500m', '512Mi'), sidecar: true }]),
    want: '1vCPU 2GB',
  },
  {
    name: 'sidecar before init adds to its peak',
    pod: pod(
      [{ req: r('250m', '256Mi') }],
      [{ req: r('1', '1Gi'), sidecar: true }, { req: r('1', '1Gi') }],
    ),
    want: '2vCPU 4GB',
  },
  {
    name: 'sidecar after init does not add to it',
    pod: pod(
      [{ req: r('250m', '256Mi') }],
      [{ req: r('1', '1Gi') }, { req: r('1', '1Gi'), sidecar: true }],
    ),
    want: '2vCPU 4GB',
  },
  {
    name: 'sidecar after init, init peak below app',
    pod: pod(
      [{ req: r('250m', '256Mi') }],
      [{ req: r('500m', '512Mi') }, { req: r('250m', '256Mi'), sidecar: true }],
    ),
    want: '0.5vCPU 1GB',
  },
  {
    name: 'limits when requests are absent',
    pod: pod([{ lim: r('500m', '512Mi') }]),
    want: '0.5vCPU 1GB',
  },
  {
    name: 'requests win over larger limits',
    pod: pod([{ req: r('250m', '256Mi'), lim: r('2', '4Gi') }]),
    want: '0.25vCPU 0.5GB',
  },
  {
    name: 'limit fills only the missing resource',
    pod: pod([{ req: r('250m'), lim: r('1', '1Gi') }]),
    want: '0.25vCPU 2GB',
  },
  {
    name: 'legacy: 4 vCPU 30GB fits',
    platform: 'legacy',
    pod: pod([{ req: r('4', '29Gi') }]),
    want: '4vCPU 30GB',
  },
  {
    name: 'legacy: seed size unchanged',
    platform: 'legacy',
    pod: pod([{ req: r('500m', '512Mi') }]),
    want: '0.5vCPU 1GB',
  },
  {
    name: 'ephemeral: none → 20',
    pod: pod([{ req: r('250m') }]),
    want: '0.25vCPU 0.5GB',
    ephemeral: 20,
  },
  {
    name: 'ephemeral: 10Gi → 20',
    pod: pod([{ req: { 'ephemeral-storage': '10Gi' } }]),
    want: '0.25vCPU 0.5GB',
    ephemeral: 20,
  },
  {
    name: 'ephemeral: 100Gi → 115',
    pod: pod([{ req: { 'ephemeral-storage': '100Gi' } }]),
    want: '0.25vCPU 0.5GB',
    ephemeral: 115,
  },
  {
    name: 'ephemeral: 154.5Gi → 175',
    pod: pod([{ req: { 'ephemeral-storage': '158208Mi' } }]),
    want: '0.25vCPU 0.5GB',
    ephemeral: 175,
  },
  {
    name: 'ephemeral: legacy ignores requests',
    platform: 'legacy',
    pod: pod([{ req: { 'ephemeral-storage': '100Gi' } }]),
    want: '0.25vCPU 0.5GB',
    ephemeral: 20,
  },
];

describe('sizeFargatePod', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = sizeFargatePod(c.pod, c.platform === undefined ? {} : { platform: c.platform });
      assert.ok(!(got instanceof Error), got instanceof Error ? got.message : '');
      assert.equal(got.annotation, c.want);
      assert.equal(got.annotation, `${String(got.vcpu)}vCPU ${String(got.memoryGb)}GB`);
      if (c.ephemeral !== undefined) assert.equal(got.ephemeralGiB, c.ephemeral);
    });
  }

  const tooBig: { name: string; pod: FargatePod; platform?: FargatePlatform }[] = [
    { name: 'cpu above 16', pod: pod([{ req: r('16001m', '1Gi') }]) },
    { name: 'memory above 120GB with system memory', pod: pod([{ req: r('16', '120Gi') }]) },
    { name: 'sum above the cap', pod: pod([{ req: r('10') }, { req: r('10') }]) },
    { name: 'init above the cap', pod: pod([{}], [{ req: r('17') }]) },
    { name: 'legacy: 5 vCPU', platform: 'legacy', pod: pod([{ req: r('5', '1Gi') }]) },
    { name: 'legacy: 30Gi memory', platform: 'legacy', pod: pod([{ req: r('4', '30Gi') }]) },
  ];
  for (const c of tooBig) {
    it(`too big: ${c.name}`, () => {
      const got = sizeFargatePod(c.pod, c.platform === undefined ? {} : { platform: c.platform });
      assert.ok(got instanceof FargateSizingError);
      assert.equal(got.reason, 'POD_CPU_MEM_EXCEEDS_MAX_FARGATE_SIZE');
      assert.equal(got.message, FARGATE_TOO_LARGE_MESSAGE);
      assert.equal(got.code, 'KILN_FARGATE_POD_TOO_LARGE');
    });
  }

  it('too big: ephemeral storage above 175 GiB', () => {
    const got = sizeFargatePod(pod([{ req: { 'ephemeral-storage': '160Gi' } }]));
    assert.ok(got instanceof FargateSizingError);
    assert.equal(got.reason, 'POD_EPHEMERAL_STORAGE_EXCEEDS_MAX_FARGATE_SIZE');
    assert.equal(got.message, FARGATE_STORAGE_TOO_LARGE_MESSAGE);
  });

  it('throws QuantityParseError for a malformed quantity', () => {
    assert.throws(() => sizeFargatePod(pod([{ req: r('lots') }])), QuantityParseError);
  });

  it('rounds provisioned storage up to whole GiB', () => {
    assert.equal(provisionedEphemeralGiB(50n * 2n ** 30n + 1n), 61);
    assert.equal(provisionedEphemeralGiB(0n), 20);
  });

  it('every combination of the table sizes to itself', () => {
    for (const row of FARGATE_SIZE_TABLES.current) {
      for (const gb of row.memoryGb) {
        const memMiB = gb * 1024 - 256;
        const got = sizeFargatePod(
          pod([{ req: r(`${String(row.vcpu * 1000)}m`, `${String(memMiB)}Mi`) }]),
        );
        assert.ok(!(got instanceof Error));
        assert.deepEqual([got.vcpu, got.memoryGb], [row.vcpu, gb]);
      }
    }
  });
});

describe('CapacityProvisioned', () => {
  it('reads back every size the annotation is written for', () => {
    for (const size of [
      { vcpu: 0.25, memoryGb: 0.5 },
      { vcpu: 0.5, memoryGb: 1 },
      { vcpu: 16, memoryGb: 120 },
    ]) {
      assert.deepEqual(parseCapacityProvisioned(capacityProvisionedAnnotation(size)), size);
    }
    assert.deepEqual(parseCapacityProvisioned(' 2vCPU  4GB '), { vcpu: 2, memoryGb: 4 });
  });

  it('reads nothing from an absent or other value', () => {
    for (const text of [undefined, '', 'half a CPU', '0.5vCPU', '1GB 0.5vCPU', '0.5 vCPU 1GB']) {
      assert.equal(parseCapacityProvisioned(text), undefined, String(text));
    }
  });
});

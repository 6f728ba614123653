import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilli, quantityValue } from './quantity.ts';
import { podRequests } from './resources.ts';

describe('quantities', () => {
  const cases: [string, number, number][] = [
    ['100m', 100, 1],
    ['0.1', 100, 1],
    ['2', 2000, 2],
    ['1Ki', 1024000, 1024],
    ['128Mi', 128 * 2 ** 20 * 1000, 128 * 2 ** 20],
    ['1G', 1e12, 1e9],
    ['1e3', 1e6, 1000],
  ];
  for (const [q, milli, value] of cases) {
    it(q, () => {
      assert.equal(quantityMilli(q), milli);
      assert.equal(quantityValue(q), value);
    });
  }
});

describe('podRequests', () => {
  it('takes the larger of init peak and app containers plus sidecars, plus overhead', () => {
    const c = (name: string, cpu: string, always = false): object => ({
      name,
      image: 'x',
      resources: { requests: { cpu } },
      ...(always ? { restartPolicy: 'Always' } : {}),
    });
    const pod = {
      spec: {
        initContainers: [c('sidecar', '200m', true), c('init', '1')],
        containers: [c('a', '300m'), c('b', '300m')],
        overhead: { cpu: '50m' },
      },
    } as unknown as Pod;
    // Init phase: 1000m + sidecar 200m = 1200m > app 600m + sidecar 200m = 800m.
    assert.equal(podRequests(pod).get('cpu'), 1250);
  });

  it('counts the non-zero defaults for containers without requests', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'x' }] } } as unknown as Pod;
    assert.equal(podRequests(pod).size, 0);
    assert.equal(podRequests(pod, true).get('cpu'), 100);
    assert.equal(podRequests(pod, true).get('memory'), 200 * 1024 * 1024);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  billedSeconds,
  fargateCost,
  findPriceOverrideFile,
  loadPriceCatalogue,
  PricingError,
  type FargatePrices,
} from './index.ts';

const US_EAST_1: FargatePrices = {
  vcpuHour: 0.04048,
  gbHour: 0.004445,
  storageGbHour: 0.000111,
  source: { url: 'x', retrieved: '2026-01-01' },
};

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
}

describe('billedSeconds', () => {
  const cases: [alive: number, billed: number][] = [
    [0, 60],
    [30, 60],
    [59.999, 60],
    [60, 60],
    [90.5, 90.5],
    [3600, 3600],
  ];
  for (const [alive, billed] of cases) {
    it(`a pod alive ${alive} s bills ${billed} s`, () => {
      assert.equal(billedSeconds(alive), billed);
    });
  }
});

describe('fargateCost', () => {
  const cases: {
    name: string;
    usage: Parameters<typeof fargateCost>[1];
    expected: number;
  }[] = [
    {
      name: '0.25 vCPU / 0.5 GB for one hour',
      usage: { vcpu: 0.25, memoryGb: 0.5, storageGb: 20, seconds: 3600 },
      expected: 0.25 * 0.04048 + 0.5 * 0.004445,
    },
    {
      name: 'storage up to the free 20 GB costs nothing',
      usage: { vcpu: 1, memoryGb: 2, storageGb: 10, seconds: 3600 },
      expected: 0.04048 + 2 * 0.004445,
    },
    {
      name: 'storage above 20 GB is charged per GB-hour',
      usage: { vcpu: 1, memoryGb: 2, storageGb: 115, seconds: 7200 },
      expected: 2 * (0.04048 + 2 * 0.004445 + 95 * 0.000111),
    },
    {
      name: 'a 30 s pod bills one minute',
      usage: { vcpu: 2, memoryGb: 9, storageGb: 20, seconds: billedSeconds(30) },
      expected: ((2 * 0.04048 + 9 * 0.004445) * 60) / 3600,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      close(fargateCost(US_EAST_1, c.usage), c.expected);
    });
  }
});

function stateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-prices-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadPriceCatalogue', () => {
  it('has the spec’s us-east-1 Fargate prices with their source', () => {
    const f = loadPriceCatalogue().fargate('us-east-1');
    assert.deepEqual([f.vcpuHour, f.gbHour, f.storageGbHour], [0.04048, 0.004445, 0.000111]);
    assert.equal(f.source.url, 'https://www.vantage.sh/blog/fargate-pricing');
    assert.match(f.source.retrieved, /^\d{4}-\d{2}-\d{2}$/);
  });

  it('prices every instance type in every region, with eni-max-pods limits', () => {
    const c = loadPriceCatalogue();
    for (const region of c.regions()) {
      const m5 = c.ec2(region, 'm5.large');
      assert.equal(m5.maxPods, 29);
      assert.equal(m5.vcpu, 2);
      assert.equal(m5.memoryGib, 8);
    }
    assert.equal(c.ec2('us-east-1', 't3.medium').maxPods, 17);
    assert.equal(c.ec2('us-east-1', 'm5.large').hourly, 0.096);
  });

  it('marks unconfirmed regions as such', () => {
    assert.match(loadPriceCatalogue().fargate('ap-northeast-2').source.note ?? '', /UNCONFIRMED/);
  });

  const unknown: [string, (c: ReturnType<typeof loadPriceCatalogue>) => unknown, RegExp][] = [
    ['region (Fargate)', (c) => c.fargate('mars-1'), /no Fargate prices for region mars-1/],
    ['region (EC2)', (c) => c.ec2('mars-1', 'm5.large'), /no EC2 prices for region mars-1/],
    ['instance type', (c) => c.ec2('us-east-1', 'x9.huge'), /no EC2 price for x9.huge/],
  ];
  for (const [what, call, message] of unknown) {
    it(`rejects an unknown ${what} with a PricingError`, () => {
      assert.throws(
        () => call(loadPriceCatalogue()),
        (e: unknown) => e instanceof PricingError && message.test(e.message),
      );
    });
  }

  it('lets prices.json replace single values and add regions and types', () => {
    const dir = stateDir({
      'prices.json': JSON.stringify({
        fargate: {
          'us-east-1': { vcpuHour: 0.05 },
          'eu-north-1': { vcpuHour: 0.04, gbHour: 0.004, storageGbHour: 0.0001 },
        },
        ec2: {
          'us-east-1': {
            'm5.large': { hourly: 0.1 },
            'c5.large': { hourly: 0.085, vcpu: 2, memoryGib: 4, maxPods: 29 },
          },
        },
      }),
    });
    const file = findPriceOverrideFile(dir);
    assert.equal(file, join(dir, 'prices.json'));
    const c = loadPriceCatalogue({ overrideFile: file });
    const f = c.fargate('us-east-1');
    assert.equal(f.vcpuHour, 0.05);
    assert.equal(f.gbHour, 0.004445);
    assert.match(f.source.url, /^file:.*prices\.json$/);
    assert.equal(f.source.note, 'user override of vcpuHour');
    assert.equal(c.fargate('us-east-2').source.url, 'https://aws.amazon.com/fargate/pricing/');
    assert.equal(c.fargate('eu-north-1').gbHour, 0.004);
    assert.ok(c.regions().includes('eu-north-1'));
    assert.equal(c.ec2('us-east-1', 'm5.large').hourly, 0.1);
    assert.equal(c.ec2('us-east-1', 'm5.large').maxPods, 29);
    assert.equal(c.ec2('us-east-1', 'c5.large').memoryGib, 4);
  });

  it('reads prices.yaml when there is no prices.json', () => {
    const dir = stateDir({ 'prices.yaml': 'fargate:\n  us-east-1:\n    gbHour: 0.005\n' });
    const c = loadPriceCatalogue({ overrideFile: findPriceOverrideFile(dir) ?? '' });
    assert.equal(c.fargate('us-east-1').gbHour, 0.005);
  });

  it('treats a missing override file as no override', () => {
    const c = loadPriceCatalogue({ overrideFile: join(stateDir({}), 'prices.json') });
    assert.equal(c.fargate('us-east-1').vcpuHour, 0.04048);
  });

  const malformed: [name: string, file: string, text: string, message: RegExp][] = [
    ['bad JSON', 'prices.json', '{"fargate":', /prices\.json: not valid/],
    [
      'a string price',
      'prices.json',
      '{"fargate":{"us-east-1":{"vcpuHour":"cheap"}}}',
      /prices\.json: fargate\.us-east-1\.vcpuHour: expected a non-negative number, got "cheap"/,
    ],
    [
      'a negative price',
      'prices.yaml',
      'ec2:\n  us-east-1:\n    m5.large:\n      hourly: -1\n',
      /prices\.yaml: ec2\.us-east-1\.m5\.large\.hourly: expected a non-negative number/,
    ],
    [
      'fractional max pods',
      'prices.json',
      '{"ec2":{"us-east-1":{"m5.large":{"maxPods":2.5}}}}',
      /ec2\.us-east-1\.m5\.large\.maxPods: expected a whole number/,
    ],
    [
      'a misspelt field',
      'prices.json',
      '{"fargate":{"us-east-1":{"vcpuHr":0.1}}}',
      /fargate\.us-east-1\.vcpuHr: unknown field/,
    ],
    [
      'a new region missing a rate',
      'prices.json',
      '{"fargate":{"eu-north-1":{"vcpuHour":0.1}}}',
      /fargate\.eu-north-1\.gbHour: required/,
    ],
    [
      'a new instance type without its shape',
      'prices.json',
      '{"ec2":{"us-east-1":{"c5.large":{"hourly":0.085}}}}',
      /ec2\.us-east-1\.c5\.large\.vcpu: required/,
    ],
    ['another currency', 'prices.json', '{"currency":"EUR"}', /currency: only USD/],
    ['a list at the top', 'prices.yaml', '- 1\n', /\(top level\): expected an object/],
  ];
  for (const [name, file, text, message] of malformed) {
    it(`names the file and field for ${name}`, () => {
      const overrideFile = join(stateDir({ [file]: text }), file);
      assert.throws(
        () => loadPriceCatalogue({ overrideFile }),
        (e: unknown) =>
          e instanceof PricingError &&
          e.code === 'KILN_PRICING_BAD_OVERRIDE' &&
          e.message.startsWith(overrideFile) &&
          message.test(e.message),
      );
    });
  }
});

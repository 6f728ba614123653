import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { loadPriceCatalogue } from '../../pricing/index.ts';
import { ensureDebianPackage } from '../../../test/e2e/host-packages.ts';
import { addCostCompareCommand, type CompareReport } from './index.ts';

/** The seed's deployment.yaml (000_*.txt), indented as kubectl needs it. */
const SEED_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-to-scaleout
  namespace: wsi-skills-namespace
spec:
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        service: nginx
        app: nginx
        node: fargate
    spec:
      containers:
      - image: nginx
        name: nginx-to-scaleout
        resources:
          limits:
            cpu: 500m
            memory: 512Mi
          requests:
            cpu: 500m
            memory: 512Mi
`;

async function runKiln(args: string[]): Promise<string> {
  let out = '';
  const program = new Command('kiln').exitOverride();
  const cost = program.command('cost');
  addCostCompareCommand(cost, {
    loadCatalogue: () => loadPriceCatalogue(),
    defaultRegion: () => 'us-east-1',
    write: (t) => (out += t),
  });
  await program.parseAsync(['cost', 'compare', ...args], { from: 'user' });
  return out;
}

function seedFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-compare-'));
  const file = join(dir, 'deployment.yaml');
  writeFileSync(file, SEED_DEPLOYMENT);
  return { dir, file };
}

/** Width, height and RGBA-or-RGB pixels of a non-interlaced 8-bit PNG, decoded with zlib. */
function decodePng(png: Buffer): {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
} {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      channels = ({ 2: 3, 6: 4 } as Record<number, number>)[data[9]!] ?? 0;
      assert.ok(channels > 0, `colour type ${data[9]}`);
      assert.equal(data[12], 0, 'not interlaced');
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      pixels[y * stride + x] = (line[x]! + unfilter(filter, a, b, c)) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function unfilter(filter: number, a: number, b: number, c: number): number {
  if (filter === 0) return 0;
  if (filter === 1) return a;
  if (filter === 2) return b;
  if (filter === 3) return Math.floor((a + b) / 2);
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

describe('kiln cost compare', () => {
  it('prints both costs at 1, 10 and 100 replicas of the seed deployment and the crossover', async () => {
    const out = await runKiln(['-f', seedFile().file, '--replicas', '1,10,100']);
    // 0.5 vCPU / 512Mi + 256Mi rounds up to 0.5 vCPU / 1 GB: (0.5 × 0.04048 + 0.004445) × 730.
    assert.match(
      out,
      /wsi-skills-namespace\/nginx-to-scaleout\s+Deployment\s+1\s+500m \/ 512Mi\s+500m \/ 768Mi\s+0\.5vCPU 1GB\s+\$18\.02/,
    );
    // t3.medium: 1930m allocatable − 150m of kube-proxy and aws-node leaves room for 3 pods.
    assert.match(out, /^1\s+1\s+\$18\.02\s+\$30\.37\s+1 x t3\.medium\s+Fargate by \$12\.35/m);
    assert.match(out, /^10\s+10\s+\$180\.20\s+\$121\.47\s+4 x t3\.medium\s+EC2 by \$58\.73/m);
    assert.match(out, /^100\s+100\s+\$1802\.01\s+\$1032\.51\s+34 x t3\.medium\s+EC2 by \$769\.49/m);
    assert.match(out, /^Crossover: EC2 node groups cheaper from 2 replicas$/m);
    assert.match(
      out,
      /^Recommendation: at 1 replica use Fargate .*at 100 replicas use an EC2 node group of t3\.medium/m,
    );
  });

  it('finds no crossover when Fargate stays cheaper on the chosen type', async () => {
    const out = await runKiln([
      '-f',
      seedFile().file,
      '--replicas',
      '1,10,100',
      '--instance-type',
      'm5.large',
    ]);
    assert.match(out, /^100\s+100\s+\$1802\.01\s+\$2382\.72\s+34 x m5\.large\s+Fargate/m);
    assert.match(out, /^Crossover: none between 1 and 100 replicas$/m);
  });

  it('prints JSON with the price sources', async () => {
    const out = await runKiln([
      '-f',
      seedFile().file,
      '--replicas',
      '10',
      '-o',
      'json',
      '--region',
      'ap-northeast-2',
    ]);
    const report = JSON.parse(out) as CompareReport;
    assert.equal(report.region, 'ap-northeast-2');
    assert.match(report.prices.fargate.note ?? '', /UNCONFIRMED/);
    const [point] = report.points;
    assert.equal(point?.pods, 10);
    assert.deepEqual(
      point.ec2.map((o) => o.instanceType),
      ['m5.large', 'm5.xlarge', 'm5.2xlarge', 't3.medium', 't3.large'],
    );
    assert.equal(report.crossovers[0]?.replicas, 2);
  });

  it('writes an SVG chart with both lines, axes and the crossover', async () => {
    const { dir, file } = seedFile();
    const chart = join(dir, 'out.svg');
    await runKiln(['-f', file, '--replicas', '1,10,100', '--chart', chart]);
    const svg = readFileSync(chart, 'utf8');
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.match(svg, /crossover: 2 replicas/);
    assert.match(svg, />Replicas</);
    assert.match(svg, /USD per month/);
  });

  it('renders the chart as a non-trivial PNG', async (t) => {
    if (!ensureDebianPackage(DEJAVU, 'fonts-dejavu-core')) {
      t.skip('no font for resvg and apt-get is not available');
      return;
    }
    const { dir, file } = seedFile();
    const chart = join(dir, 'out.png');
    await runKiln(['-f', file, '--replicas', '1,10,100', '--chart', chart]);
    const { width, height, channels, pixels } = decodePng(readFileSync(chart));
    assert.deepEqual([width, height], [800, 480]);
    let inked = 0;
    let orange = 0;
    let blue = 0;
    for (let i = 0; i < pixels.length; i += channels) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      if (r < 240 || g < 240 || b < 240) inked++;
      if (r > 200 && g > 90 && g < 140 && b < 40) orange++;
      if (r < 60 && g > 90 && g < 140 && b > 200) blue++;
    }
    assert.ok(inked > 5000, `only ${inked} pixels differ from the white background`);
    assert.ok(orange > 300 && blue > 300, `line pixels: Fargate ${orange}, EC2 ${blue}`);
  });

  it('rejects a chart file that is neither .svg nor .png', async () => {
    await assert.rejects(
      runKiln(['-f', seedFile().file, '--chart', 'x.gif']),
      /must end in \.svg or \.png/,
    );
  });
});

import { Resvg } from '@resvg/resvg-js';

export interface ChartPoint {
  replicas: number;
  fargate: number | undefined;
  ec2: number | undefined;
}

export interface ChartInput {
  title: string;
  ec2Label: string;
  points: readonly ChartPoint[];
  /** Replica counts where the cheaper option changes; marked on the chart. */
  crossovers: readonly number[];
}

const WIDTH = 800;
const HEIGHT = 480;
const PLOT = { left: 80, right: 780, top: 60, bottom: 410 };
const COLOURS = { fargate: '#e8710a', ec2: '#1a73e8', crossover: '#188038', grid: '#dddddd' };

/** Round tick steps (1, 2 or 5 × 10^n) giving about `count` ticks over 0..max. */
export function niceTicks(max: number, count: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Scale {
  x(replicas: number): number;
  y(usd: number): number;
}

function scale(input: ChartInput, xTicks: number[], yTicks: number[]): Scale {
  const xMin = 0;
  const xMax = Math.max(xTicks.at(-1) ?? 1, xMin + 1);
  const yMax = yTicks.at(-1) ?? 1;
  return {
    x: (r) => PLOT.left + ((r - xMin) / (xMax - xMin)) * (PLOT.right - PLOT.left),
    y: (v) => PLOT.bottom - (v / yMax) * (PLOT.bottom - PLOT.top),
  };
}

function axes(s: Scale, xTicks: number[], yTicks: number[]): string[] {
  const out: string[] = [];
  for (const t of yTicks) {
    const y = s.y(t).toFixed(1);
    out.push(
      `<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="${COLOURS.grid}"/>`,
    );
    out.push(
      `<text x="${PLOT.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="12">$${t.toLocaleString('en-US')}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = s.x(t).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 5}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${x}" y="${PLOT.bottom + 20}" text-anchor="middle" font-size="12">${t}</text>`,
    );
  }
  out.push(
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#333" stroke-width="1.5"/>`,
  );
  out.push(
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#333" stroke-width="1.5"/>`,
  );
  out.push(
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 30}" text-anchor="middle" font-size="14">Replicas</text>`,
  );
  out.push(
    `<text x="20" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" font-size="14" transform="rotate(-90 20 ${(PLOT.top + PLOT.bottom) / 2})">USD per month (730 h)</text>`,
  );
  return out;
}

interface Series {
  pick: (p: ChartPoint) => number | undefined;
  colour: string;
}

function line(s: Scale, points: readonly ChartPoint[], series: Series): string {
  const { pick, colour } = series;
  const coords = points
    .map((p) => [p.replicas, pick(p)] as const)
    .filter((c): c is readonly [number, number] => c[1] !== undefined)
    .map(([r, v]) => `${s.x(r).toFixed(1)},${s.y(v).toFixed(1)}`);
  return coords.length === 0
    ? ''
    : `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${coords.join(' ')}"/>`;
}

function crossoverMarks(s: Scale, input: ChartInput): string[] {
  return input.crossovers.flatMap((r) => {
    const p = input.points.find((q) => q.replicas === r);
    const x = s.x(r).toFixed(1);
    const y = s.y(p?.fargate ?? 0).toFixed(1);
    return [
      `<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="${COLOURS.crossover}" stroke-dasharray="6 4" stroke-width="1.5"/>`,
      `<circle cx="${x}" cy="${y}" r="5" fill="${COLOURS.crossover}"/>`,
      `<text x="${x}" y="${PLOT.top - 6}" text-anchor="${s.x(r) < PLOT.left + 80 ? 'start' : 'middle'}" font-size="12" fill="${COLOURS.crossover}">crossover: ${r} replicas</text>`,
    ];
  });
}

function legend(input: ChartInput): string[] {
  const entries = [
    ['Fargate', COLOURS.fargate],
    [input.ec2Label, COLOURS.ec2],
  ] as const;
  return entries.flatMap(([label, colour], i) => {
    const y = PLOT.top + 16 + i * 20;
    return [
      `<line x1="${PLOT.left + 16}" y1="${y}" x2="${PLOT.left + 44}" y2="${y}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${PLOT.left + 52}" y="${y}" dominant-baseline="middle" font-size="13">${escapeXml(label)}</text>`,
    ];
  });
}

/** The cost-against-replicas chart as a standalone SVG document. */
export function renderCostChartSvg(input: ChartInput): string {
  const costs = input.points.flatMap((p) => [p.fargate ?? 0, p.ec2 ?? 0]);
  const yTicks = niceTicks(Math.max(...costs, 1), 6);
  const xTicks = niceTicks(input.points.at(-1)?.replicas ?? 1, 10);
  const s = scale(input, xTicks, yTicks);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(input.title)}</text>`,
    ...axes(s, xTicks, yTicks),
    line(s, input.points, { pick: (p) => p.ec2, colour: COLOURS.ec2 }),
    line(s, input.points, { pick: (p) => p.fargate, colour: COLOURS.fargate }),
    ...crossoverMarks(s, input),
    ...legend(input),
    '</svg>',
    '',
  ].join('\n');
}

/** Rasterises the SVG with resvg; text needs a font, so system fonts (and `fontFiles`) load. */
export function renderPng(svg: string, opts: { fontFiles?: string[] } = {}): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      fontFiles: opts.fontFiles ?? [],
      defaultFontFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}

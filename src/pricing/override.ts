import { readFileSync, statSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { PricingError } from './errors.ts';
import type { PriceSource } from './types.ts';

/** The names a price override file may have in the state dir, in the order they are tried. */
export const PRICE_OVERRIDE_FILE_NAMES = ['prices.json', 'prices.yaml', 'prices.yml'] as const;

export interface FargateOverride {
  vcpuHour?: number;
  gbHour?: number;
  storageGbHour?: number;
}

export interface Ec2Override {
  hourly?: number;
  vcpu?: number;
  memoryGib?: number;
  maxPods?: number;
}

/** A parsed override file: individual values that replace the built-in ones. */
export interface PriceOverride {
  /** The file's path, as error messages name it. */
  file: string;
  /** Cited as the source of every value the file sets. */
  source: PriceSource;
  fargate: Record<string, FargateOverride>;
  ec2: Record<string, Record<string, Ec2Override>>;
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface FieldRule {
  /** Whole numbers only (max pods, vCPU). */
  integer: boolean;
}

const FARGATE_FIELDS: Readonly<Record<keyof FargateOverride, FieldRule>> = {
  vcpuHour: { integer: false },
  gbHour: { integer: false },
  storageGbHour: { integer: false },
};

const EC2_FIELDS: Readonly<Record<keyof Ec2Override, FieldRule>> = {
  hourly: { integer: false },
  vcpu: { integer: true },
  memoryGib: { integer: false },
  maxPods: { integer: true },
};

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Validates one value against its rule; returns the problem, if any. */
function numberProblem(value: unknown, rule: FieldRule): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return `expected a non-negative number, got ${describe(value)}`;
  }
  if (rule.integer && !Number.isInteger(value)) return `expected a whole number, got ${value}`;
  return undefined;
}

/** Carries the file name so every error names both the file and the field. */
interface ParseContext {
  file: string;
}

function fail(ctx: ParseContext, path: string, problem: string): never {
  throw new PricingError('KILN_PRICING_BAD_OVERRIDE', `${ctx.file}: ${path}: ${problem}`);
}

function expectObject(ctx: ParseContext, path: string, value: unknown): Plain {
  if (!isPlain(value)) fail(ctx, path, 'expected an object');
  return value;
}

interface EntrySpec {
  path: string;
  fields: Readonly<Record<string, FieldRule>>;
}

function parseEntry(ctx: ParseContext, raw: unknown, spec: EntrySpec): Record<string, number> {
  const { path, fields } = spec;
  const entry = expectObject(ctx, path, raw);
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(entry)) {
    const rule = fields[key];
    if (rule === undefined) {
      fail(ctx, `${path}.${key}`, `unknown field (expected ${Object.keys(fields).join(', ')})`);
    }
    const problem = numberProblem(value, rule);
    if (problem !== undefined) fail(ctx, `${path}.${key}`, problem);
    // SAFETY: numberProblem returned nothing, so value is a number.
    out[key] = value as number;
  }
  return out;
}

function parseFargate(ctx: ParseContext, raw: unknown): Record<string, FargateOverride> {
  if (raw === undefined) return {};
  const regions = expectObject(ctx, 'fargate', raw);
  const out: Record<string, FargateOverride> = {};
  for (const [region, entry] of Object.entries(regions)) {
    out[region] = parseEntry(ctx, entry, { path: `fargate.${region}`, fields: FARGATE_FIELDS });
  }
  return out;
}

function parseEc2(ctx: ParseContext, raw: unknown): Record<string, Record<string, Ec2Override>> {
  if (raw === undefined) return {};
  const regions = expectObject(ctx, 'ec2', raw);
  const out: Record<string, Record<string, Ec2Override>> = {};
  for (const [region, types] of Object.entries(regions)) {
    const byType: Record<string, Ec2Override> = {};
    for (const [type, entry] of Object.entries(expectObject(ctx, `ec2.${region}`, types))) {
      byType[type] = parseEntry(ctx, entry, { path: `ec2.${region}.${type}`, fields: EC2_FIELDS });
    }
    out[region] = byType;
  }
  return out;
}

const TOP_LEVEL_FIELDS = ['fargate', 'ec2', 'currency'];

/** Parses an override document already read from `file` (used in messages and as source). */
export function parsePriceOverride(
  text: string,
  opts: { file: string; retrieved: string },
): PriceOverride {
  const ctx: ParseContext = { file: opts.file };
  let doc: unknown;
  try {
    doc = opts.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new PricingError('KILN_PRICING_BAD_OVERRIDE', `${opts.file}: not valid: ${reason}`, {
      cause: e,
    });
  }
  const top = expectObject(ctx, '(top level)', doc ?? {});
  for (const key of Object.keys(top)) {
    if (!TOP_LEVEL_FIELDS.includes(key)) {
      fail(ctx, key, `unknown field (expected ${TOP_LEVEL_FIELDS.join(', ')})`);
    }
  }
  if (top['currency'] !== undefined && top['currency'] !== 'USD') {
    fail(ctx, 'currency', `only USD is supported, got ${JSON.stringify(top['currency'])}`);
  }
  return {
    file: opts.file,
    source: {
      url: pathToFileURL(opts.file).href,
      retrieved: opts.retrieved,
      note: 'user override',
    },
    fargate: parseFargate(ctx, top['fargate']),
    ec2: parseEc2(ctx, top['ec2']),
  };
}

/** Reads and parses `file`; a file that does not exist means no override. */
export function readPriceOverride(file: string): PriceOverride | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    if (isErrnoCode(e, 'ENOENT')) return undefined;
    const reason = e instanceof Error ? e.message : String(e);
    throw new PricingError('KILN_PRICING_BAD_OVERRIDE', `${file}: cannot read: ${reason}`, {
      cause: e,
    });
  }
  const retrieved = statSync(file).mtime.toISOString().slice(0, 10);
  return parsePriceOverride(text, { file, retrieved });
}

function isErrnoCode(e: unknown, code: string): boolean {
  return isPlain(e) && e['code'] === code;
}

/** The override file in `stateDir` (`prices.json`, else `prices.yaml`/`.yml`), if there is one. */
export function findPriceOverrideFile(stateDir: string): string | undefined {
  return PRICE_OVERRIDE_FILE_NAMES.map((name) => join(stateDir, name)).find((p) => existsSync(p));
}

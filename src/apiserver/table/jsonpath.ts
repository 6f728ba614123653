/**
 * The part of client-go's JSONPath (`k8s.io/client-go/util/jsonpath`) that CRD printer columns
 * use: `.a.b`, `['a.b']`, `.a[0]`, `.a[-1]`, `.a[1:3]`, `.a[*].b`, `.a.*`,
 * `.a[?(@.type=="Ready")].status`, `[?(@.x)]`, with `AllowMissingKeys(true)` semantics: a missing
 * field yields no result, while errors upstream also raises (bad index, comparing a string with a
 * number) throw a {@link JsonPathError}.
 */

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

interface FieldStep {
  kind: 'field';
  name: string;
}
interface WildcardStep {
  kind: 'wildcard';
}
interface SliceStep {
  kind: 'slice';
  start: number | undefined;
  end: number | undefined;
  /** `[n]` parses as `[n:n+1]`; the end is then derived and `0` means "to the end" (`[-1]`). */
  derivedEnd: boolean;
  cap: number | undefined;
}
type Operator = '==' | '!=' | '<' | '>' | '<=' | '>=';
type Operand =
  { kind: 'path'; steps: Step[] } | { kind: 'literal'; value: string | number | boolean };
interface FilterStep {
  kind: 'filter';
  left: Step[];
  op: Operator | 'exists';
  right: Operand | undefined;
}
type Step = FieldStep | WildcardStep | SliceStep | FilterStep;

export interface CompiledJsonPath {
  readonly source: string;
  readonly steps: readonly Step[];
}

const FIELD_TERMINATORS: ReadonlySet<string> = new Set([
  '.',
  ',',
  '[',
  ']',
  '$',
  '@',
  '{',
  '}',
  ' ',
  '\t',
  '\n',
  '\r',
]);
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY = /^'([^']*)'$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/;
const OPERATORS: ReadonlySet<string> = new Set(['==', '!=', '<', '>', '<=', '>=']);

class Parser {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  parse(): Step[] {
    const steps: Step[] = [];
    this.skipSpace();
    if (this.text[this.pos] === '$' || this.text[this.pos] === '@') this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '.') steps.push(this.field());
      else if (c === '[') steps.push(...this.bracket());
      else if (c === ' ' || c === '\t') this.pos++;
      else throw new JsonPathError(`unrecognized character in action: ${c ?? ''}`);
    }
    return steps;
  }

  private skipSpace(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private field(): Step {
    this.pos++;
    if (this.text[this.pos] === '.') throw new JsonPathError('recursive descent is not supported');
    let name = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] ?? '';
      if (c === '\\') {
        name += this.text[this.pos + 1] ?? '';
        this.pos += 2;
        continue;
      }
      if (FIELD_TERMINATORS.has(c)) break;
      name += c;
      this.pos++;
    }
    return name === '*' ? { kind: 'wildcard' } : { kind: 'field', name };
  }

  /** The text between `[` and its `]`, honouring quotes and the parentheses of a filter. */
  private bracketBody(): string {
    const start = ++this.pos;
    let quote = '';
    let depth = 0;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (quote !== '') {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ']' && depth === 0) {
        return this.text.slice(start, this.pos++);
      }
    }
    throw new JsonPathError('unterminated array');
  }

  private bracket(): Step[] {
    const body = this.bracketBody();
    if (body.startsWith('?(') && body.endsWith(')')) return [parseFilter(body.slice(2, -1))];
    const text = body === '*' ? ':' : body;
    if (text.includes(',')) throw new JsonPathError('union is not supported');
    const key = DICT_KEY.exec(text);
    if (key !== null) return new Parser(`.${key[1] ?? ''}`).parse();
    return [parseSlice(text)];
  }
}

function parseSlice(text: string): SliceStep {
  const m = SLICE.exec(text);
  if (m === null) throw new JsonPathError(`invalid array index ${text}`);
  const toInt = (t: string): number => {
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw new JsonPathError(`invalid array index ${text}`);
    return n;
  };
  const start = m[1] === undefined || m[1] === '' ? undefined : toInt(m[1]);
  const param = (p: string | undefined): number | undefined =>
    p === undefined || p.length <= 1 ? undefined : toInt(p.slice(1));
  if (m[2] === undefined) {
    return { kind: 'slice', start, end: (start ?? 0) + 1, derivedEnd: true, cap: param(m[3]) };
  }
  return { kind: 'slice', start, end: param(m[2]), derivedEnd: false, cap: param(m[3]) };
}

function parseOperand(text: string): Operand {
  const t = text.trim();
  if (t.startsWith('@') || t.startsWith('$') || t.startsWith('.')) {
    return { kind: 'path', steps: new Parser(t).parse() };
  }
  const quoted = /^(["'])(.*)\1$/.exec(t);
  if (quoted !== null) return { kind: 'literal', value: quoted[2] ?? '' };
  if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'literal', value: Number(t) };
  throw new JsonPathError(`unrecognized filter operand ${t}`);
}

function parseFilter(expr: string): FilterStep {
  const m = FILTER.exec(expr);
  if (m === null) {
    return {
      kind: 'filter',
      left: new Parser(expr.trim()).parse(),
      op: 'exists',
      right: undefined,
    };
  }
  const op = m[2] ?? '';
  if (!OPERATORS.has(op)) throw new JsonPathError(`unrecognized filter operator ${op}`);
  return {
    kind: 'filter',
    left: new Parser((m[1] ?? '').trim()).parse(),
    // SAFETY: membership in OPERATORS was checked just above.
    op: op as Operator,
    right: parseOperand(m[3] ?? ''),
  };
}

/** Parses a CRD column path; throws {@link JsonPathError} where client-go's parser fails. */
export function compileJsonPath(path: string): CompiledJsonPath {
  return { source: path, steps: new Parser(path).parse() };
}

function isMap(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stepField(input: readonly unknown[], name: string): unknown[] {
  const out: unknown[] = [];
  for (const v of input) if (isMap(v) && Object.hasOwn(v, name)) out.push(v[name]);
  return out;
}

function stepWildcard(input: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (Array.isArray(v)) out.push(...(v as unknown[]));
    else if (isMap(v)) for (const k of Object.keys(v).sort()) out.push(v[k]);
  }
  return out;
}

function outOfBounds(start: number, end: number, len: number): boolean {
  // A zero-length request passes whatever its bounds, as upstream's does.
  if (end === start) return false;
  return start >= len || start < 0 || end > len || end < 0 || start > end;
}

function sliceBounds(step: SliceStep, len: number): [number, number] {
  let start = step.start ?? 0;
  if (start < 0) start += len;
  let end = step.end ?? len;
  if (end < 0 || (end === 0 && step.derivedEnd)) end += len;
  if (outOfBounds(start, end, len)) {
    throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`);
  }
  if (step.cap !== undefined && (step.cap < end || step.cap > len)) {
    throw new JsonPathError(`slice capacity out of range: ${step.cap}`);
  }
  return [start, end];
}

function stepSlice(input: readonly unknown[], step: SliceStep): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (!Array.isArray(v)) continue;
    const [start, end] = sliceBounds(step, v.length);
    out.push(...(v.slice(start, end) as unknown[]));
  }
  return out;
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'other';

function kindOf(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

/** text/template's eq/lt semantics: operands must be of one basic kind. */
function compare(left: unknown, op: Operator, right: unknown): boolean {
  const kind = kindOf(left);
  if (kind !== kindOf(right) || kind === 'other') {
    throw new JsonPathError('incompatible types for comparison');
  }
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (kind === 'bool') throw new JsonPathError('invalid type for comparison');
  // SAFETY: both operands share one kind, number or string, so `<` compares like Go's lt.
  const [l, r] = [left as number | string, right as number | string];
  if (op === '<') return l < r;
  if (op === '>') return l > r;
  if (op === '<=') return l <= r;
  return l >= r;
}

function single(values: readonly unknown[]): unknown {
  if (values.length > 1) throw new JsonPathError('can only compare one element at a time');
  return values[0];
}

function filterPasses(item: unknown, step: FilterStep): boolean {
  const lefts = evaluate([item], step.left);
  if (lefts.length === 0) return false;
  if (step.op === 'exists' || step.right === undefined) return true;
  const rights =
    step.right.kind === 'literal' ? [step.right.value] : evaluate([item], step.right.steps);
  if (rights.length === 0) return false;
  return compare(single(lefts), step.op, single(rights));
}

function stepFilter(input: readonly unknown[], step: FilterStep): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (!Array.isArray(v))
      throw new JsonPathError('value is not array or slice and cannot be filtered');
    for (const item of v as unknown[]) if (filterPasses(item, step)) out.push(item);
  }
  return out;
}

function evaluate(input: readonly unknown[], steps: readonly Step[]): unknown[] {
  let cur: unknown[] = [...input];
  for (const step of steps) {
    switch (step.kind) {
      case 'field':
        cur = stepField(cur, step.name);
        break;
      case 'wildcard':
        cur = stepWildcard(cur);
        break;
      case 'slice':
        cur = stepSlice(cur, step);
        break;
      case 'filter':
        cur = stepFilter(cur, step);
        break;
    }
  }
  return cur;
}

/** Every value the path selects, in order; throws {@link JsonPathError} on evaluation errors. */
export function findAll(path: CompiledJsonPath, data: unknown): unknown[] {
  return evaluate([data], path.steps);
}

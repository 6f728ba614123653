import assert from 'node:assert/strict';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, type IdSource } from '../../util/index.ts';
import { AwsError, type AwsCall } from '../types.ts';
import type { InstanceSource } from './context.ts';
import { Ec2Service } from './ec2-service.ts';

/** Test helpers: a fresh service on an in-memory store, and calls built as the CLI sends them. */

export const ACCOUNT = '123456789012';
export const REGION = 'ap-northeast-2';

/**
 * Deterministic ids with no short cycle (util's sequentialIds repeats every 16 hex digits,
 * which would make 17-digit EC2 ids collide).
 */
export function seededIds(seed = 1): IdSource {
  let x = seed >>> 0;
  const next = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
  return {
    uuid: () => `00000000-0000-4000-8000-${next().toString(16).padStart(12, '0')}`,
    int: (max) => Math.floor((next() / 2 ** 32) * max),
  };
}

export function newService(instances?: InstanceSource): Ec2Service {
  return new Ec2Service({
    store: new CachedStore({ persistence: noPersistence }),
    clock: new ManualClock(),
    ids: seededIds(),
    accountId: ACCOUNT,
    ...(instances ? { instances } : {}),
  });
}

export function ec2Call(action: string, params: Record<string, string>, region = REGION): AwsCall {
  return {
    region,
    caller: {
      accessKeyId: 'test',
      accountId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      userId: ACCOUNT,
    },
    requestId: 'req-1',
    action,
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    params: new Map(Object.entries({ Version: '2016-11-15', ...params })),
    json: {},
    headers: {},
  };
}

/** Calls an action in REGION and returns its body. */
export async function run(
  svc: Ec2Service,
  action: string,
  params: Record<string, string> = {},
): Promise<Body> {
  return (await svc.handle(ec2Call(action, params))).body;
}

/** Calls an action in another region. */
export async function runIn(
  svc: Ec2Service,
  region: string,
  call: { readonly action: string; readonly params?: Record<string, string> },
): Promise<Body> {
  return (await svc.handle(ec2Call(call.action, call.params ?? {}, region))).body;
}

/**
 * A response tree as tests navigate it. Deliberately `any`: the tests' assertions are what
 * check the shape, and typing every EC2 response here would duplicate the service.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above.
export type Body = any;

export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  message?: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

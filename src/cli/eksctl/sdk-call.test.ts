import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IAMClient } from '@aws-sdk/client-iam';
import { AwsCallError, awsCall, ensureIamRole, listAllPages } from './sdk-call.ts';

/** An IAM client that records the commands sent and answers from a table of roles. */
function fakeIam(roles: Map<string, string>) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    sent.push({ command: name, input: command.input });
    const roleName = String(command.input['RoleName']);
    if (name === 'GetRoleCommand') {
      const arn = roles.get(roleName);
      if (arn === undefined) {
        const e = new Error(`The role with name ${roleName} cannot be found.`);
        e.name = 'NoSuchEntityException';
        return Promise.reject(e);
      }
      return Promise.resolve({ Role: { Arn: arn } });
    }
    if (name === 'CreateRoleCommand') {
      const arn = `arn:aws:iam::000000000000:role/${roleName}`;
      roles.set(roleName, arn);
      return Promise.resolve({ Role: { Arn: arn } });
    }
    return Promise.resolve({});
  };
  // SAFETY: ensureIamRole only calls send(); the fake answers the three commands it sends.
  return { iam: { send } as unknown as IAMClient, sent };
}

describe('sdk-call', () => {
  it('collects every page until the token runs out or is empty', async () => {
    const pages: Record<string, { items: string[]; nextToken: string | undefined }> = {
      first: { items: ['a', 'b'], nextToken: 't1' },
      t1: { items: [], nextToken: 't2' },
      t2: { items: ['c'], nextToken: '' },
    };
    const asked: (string | undefined)[] = [];
    const all = await listAllPages((token) => {
      asked.push(token);
      return Promise.resolve(pages[token ?? 'first'] ?? { items: [], nextToken: undefined });
    });
    assert.deepEqual(all, ['a', 'b', 'c']);
    assert.deepEqual(asked, [undefined, 't1', 't2']);
    assert.deepEqual(
      await listAllPages(() => Promise.resolve({ items: undefined, nextToken: undefined })),
      [],
    );
  });

  it('creates a missing role with every policy, and leaves an existing one alone', async () => {
    const { iam, sent } = fakeIam(new Map());
    const o = { name: 'r', trustPolicy: '{}', policyArns: ['arn:p1', 'arn:p2'] };
    assert.equal(await ensureIamRole(iam, o), 'arn:aws:iam::000000000000:role/r');
    assert.deepEqual(
      sent.map((s) => [s.command, s.input['PolicyArn'] ?? s.input['AssumeRolePolicyDocument']]),
      [
        ['GetRoleCommand', undefined],
        ['CreateRoleCommand', '{}'],
        ['AttachRolePolicyCommand', 'arn:p1'],
        ['AttachRolePolicyCommand', 'arn:p2'],
      ],
    );
    sent.length = 0;
    assert.equal(await ensureIamRole(iam, o), 'arn:aws:iam::000000000000:role/r');
    assert.deepEqual(
      sent.map((s) => s.command),
      ['GetRoleCommand'],
    );
  });

  it('words SDK failures as the Go SDK does, keeping the error code', async () => {
    const e = Object.assign(new Error('No cluster found for name: x.'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404, requestId: 'req-1' },
    });
    await assert.rejects(
      awsCall('DescribeCluster', () => Promise.reject(e)),
      (err: unknown) =>
        err instanceof AwsCallError &&
        err.code === 'ResourceNotFoundException' &&
        err.message ===
          'operation error EKS: DescribeCluster, https response error StatusCode: 404, RequestID: req-1, ResourceNotFoundException: No cluster found for name: x.',
    );
    await assert.rejects(
      awsCall('X', () => Promise.reject(new Error('plain'))),
      (err: unknown) => err instanceof AwsCallError && err.message === 'plain',
    );
  });
});

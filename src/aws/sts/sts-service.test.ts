import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { InMemoryAwsCredentialStore } from '../../apiserver/authn/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { sequentialIds, systemClock } from '../../util/index.ts';
import { AwsEndpoint } from '../endpoint/index.ts';
import { IamService } from '../iam/index.ts';
import { StsCredentials } from './sts-credentials.ts';
import { StsService } from './sts-service.ts';

const ACCOUNT = '000000000000';

describe('STS through the endpoint with the AWS SDK v3', () => {
  let server: Server;
  let endpoint = '';
  const store = new CachedStore({ persistence: noPersistence });
  const credentials = new StsCredentials({ store, base: new InMemoryAwsCredentialStore() });

  before(async () => {
    const ids = sequentialIds();
    const iam = new IamService({ store, clock: systemClock, ids });
    const sts = new StsService({ credentials, iam, clock: systemClock, ids });
    const aws = new AwsEndpoint({ services: [iam, sts], credentials, clock: systemClock, ids });
    server = createServer(aws.listener());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(() => {
    server.close();
  });

  const client = <T>(
    make: new (c: object) => T,
    creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
      accessKeyId: 'test',
      secretAccessKey: 'test',
    },
  ): T => new make({ endpoint, region: 'ap-northeast-2', credentials: creds, maxAttempts: 1 });

  it('GetCallerIdentity reports the root of the configured account', async () => {
    const out = await client(STSClient).send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, ACCOUNT);
    assert.equal(out.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  });

  it('AssumeRole needs a trusting role and issues credentials the endpoint accepts', async () => {
    const iam = client(IAMClient);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'Admin',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'FargateOnly',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'eks-fargate-pods.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    const sts = client(STSClient);
    await assert.rejects(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/FargateOnly`,
          RoleSessionName: 's1',
        }),
      ),
      (e: unknown) =>
        e instanceof Error &&
        e.name === 'AccessDenied' &&
        e.message ===
          `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/FargateOnly`,
    );
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
        RoleSessionName: 'dev',
      }),
    );
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && c.Expiration);
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/dev`);
    const temp = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    };
    const me = await client(STSClient, temp).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/dev`);
    assert.match(me.UserId ?? '', /^AROA[A-Z2-7]{17}:dev$/);
    const role = await client(IAMClient, temp).send(new GetRoleCommand({ RoleName: 'Admin' }));
    assert.equal(role.Role?.RoleName, 'Admin');
    await assert.rejects(
      client(STSClient, { ...temp, sessionToken: 'forged' }).send(new GetCallerIdentityCommand({})),
      (e: unknown) => e instanceof Error && e.name === 'InvalidClientTokenId',
    );
    await assert.rejects(
      client(STSClient, temp).send(new GetSessionTokenCommand({})),
      (e: unknown) => e instanceof Error && e.name === 'AccessDenied',
    );
  });

  it('GetSessionToken caps the root at one hour', async () => {
    const before = Date.now();
    const out = await client(STSClient).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    const exp = out.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(exp <= before + 3600_000 + 1000 && exp >= before + 3590_000);
  });
});

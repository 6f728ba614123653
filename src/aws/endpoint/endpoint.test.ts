import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { InMemoryAwsCredentialStore } from '../../apiserver/authn/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { AwsError, type AwsCall, type AwsProtocol, type AwsService } from '../types.ts';
import { AwsEndpoint, type EndpointRequest } from './endpoint.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function service(signingName: string, protocol: AwsProtocol): AwsService & { calls: AwsCall[] } {
  const calls: AwsCall[] = [];
  return {
    signingName,
    protocol,
    calls,
    handle: (call) => {
      calls.push(call);
      if (call.action === 'Boom' || call.path === '/boom') return Promise.reject(new Error('bug'));
      if (call.path === '/missing') {
        return Promise.reject(
          new AwsError('ResourceNotFoundException', 'No cluster found for name: x.', {
            httpStatus: 404,
            fields: { clusterName: 'x' },
          }),
        );
      }
      return Promise.resolve({ body: { ok: true } });
    },
  };
}

async function request(opts: {
  service: string;
  method?: string;
  path?: string;
  body?: string;
  contentType?: string;
  secret?: string;
}): Promise<EndpointRequest> {
  const signer = new SignatureV4({
    service: opts.service,
    region: 'ap-northeast-2',
    sha256: Sha256,
    credentials: { accessKeyId: 'test', secretAccessKey: opts.secret ?? 'test' },
  });
  const body = opts.body ?? '';
  const signed = await signer.sign(
    {
      method: opts.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: opts.path ?? '/',
      headers: {
        host: '127.0.0.1:4566',
        'content-type': opts.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body,
    },
    { signingDate: new Date(NOW) },
  );
  const headerMap: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headerMap[k.toLowerCase()] = v;
  return {
    method: signed.method,
    rawPath: opts.path ?? '/',
    rawQuery: '',
    headers: Object.entries(signed.headers),
    headerMap,
    body: Buffer.from(body),
  };
}

function endpoint(): { ep: AwsEndpoint; iam: ReturnType<typeof service> } {
  const iam = service('iam', 'query');
  const ep = new AwsEndpoint({
    services: [iam, service('eks', 'rest-json'), service('ec2', 'ec2')],
    credentials: new InMemoryAwsCredentialStore(),
    clock: new ManualClock(NOW),
    ids: sequentialIds(),
  });
  return { ep, iam };
}

describe('AwsEndpoint', () => {
  it('routes by signing name and passes region, caller and form params', async () => {
    const { ep, iam } = endpoint();
    const r = await ep.handle(
      await request({ service: 'iam', body: 'Action=ListRoles&Version=2010-05-08&MaxItems=5' }),
    );
    assert.equal(r.status, 200);
    assert.match(
      r.body,
      /<ListRolesResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/,
    );
    const call = iam.calls[0];
    assert.equal(call?.region, 'ap-northeast-2');
    assert.equal(call.caller.arn, 'arn:aws:iam::000000000000:root');
    assert.equal(call.params.get('MaxItems'), '5');
    assert.equal(r.headers['x-amzn-RequestId'], call.requestId);
  });

  it('answers auth failures in each family envelope', async () => {
    const { ep } = endpoint();
    const q = await ep.handle(
      await request({ service: 'iam', body: 'Action=ListRoles&Version=2010-05-08', secret: 'x' }),
    );
    assert.equal(q.status, 403);
    assert.match(
      q.body,
      /<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code>/,
    );
    const j = await ep.handle(
      await request({
        service: 'eks',
        method: 'GET',
        path: '/clusters',
        contentType: 'application/json',
        secret: 'x',
      }),
    );
    assert.equal(j.status, 403);
    assert.equal(j.headers['x-amzn-ErrorType'], 'InvalidSignatureException');
    const e = await ep.handle(
      await request({
        service: 'ec2',
        body: 'Action=DescribeVpcs&Version=2016-11-15',
        secret: 'x',
      }),
    );
    assert.equal(e.status, 401);
    assert.match(
      e.body,
      /<Response><Errors><Error><Code>AuthFailure<\/Code><Message>AWS was not able to validate the provided access credentials<\/Message>/,
    );
    const signedJson = await request({
      service: 'eks',
      method: 'GET',
      path: '/clusters',
      contentType: 'application/json',
    });
    const unsigned = await ep.handle({
      ...signedJson,
      headers: signedJson.headers.filter(([k]) => k.toLowerCase() !== 'authorization'),
    });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers['x-amzn-ErrorType'], 'MissingAuthenticationTokenException');
    assert.deepEqual(JSON.parse(unsigned.body), { message: 'Missing Authentication Token' });
  });

  it('renders service errors, fields and internal failures', async () => {
    const { ep } = endpoint();
    const nf = await ep.handle(
      await request({
        service: 'eks',
        method: 'GET',
        path: '/missing',
        contentType: 'application/json',
      }),
    );
    assert.equal(nf.status, 404);
    assert.equal(nf.headers['x-amzn-ErrorType'], 'ResourceNotFoundException');
    assert.deepEqual(JSON.parse(nf.body), {
      clusterName: 'x',
      message: 'No cluster found for name: x.',
    });
    const boom = await ep.handle(
      await request({ service: 'iam', body: 'Action=Boom&Version=2010-05-08' }),
    );
    assert.equal(boom.status, 500);
    assert.match(boom.body, /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
    const bad = await ep.handle(
      await request({
        service: 'eks',
        path: '/clusters',
        body: '{',
        contentType: 'application/json',
      }),
    );
    assert.equal(bad.headers['x-amzn-ErrorType'], 'SerializationException');
    const other = await ep.handle(await request({ service: 's3', body: 'Action=X' }));
    assert.equal(other.status, 400);
  });
});

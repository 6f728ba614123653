import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../types.ts';
import { memberList, memberStrings } from './params.ts';
import { errorResponse, queryResponse, successResponse, wireErrorOf } from './protocols.ts';
import { EC2_SHAPE, QUERY_SHAPE, renderXml } from './xml.ts';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe('XML shape mapper', () => {
  it('maps objects, lists, dates, booleans and escapes text', () => {
    const xml = renderXml({
      root: 'R',
      xmlns: 'urn:x',
      content: {
        Name: 'a<b>&"c\'',
        When: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
        Flag: false,
        Count: 3,
        Skip: undefined,
        Roles: [{ RoleName: 'x' }, { RoleName: 'y' }],
        Empty: [],
        Keys: ['k1', 'k2'],
      },
      shape: QUERY_SHAPE,
    });
    assert.equal(
      xml,
      `${HEAD}<R xmlns="urn:x"><Name>a&lt;b&gt;&amp;&quot;c&apos;</Name><When>2026-01-02T03:04:05Z</When>` +
        '<Flag>false</Flag><Count>3</Count><Roles><member><RoleName>x</RoleName></member>' +
        '<member><RoleName>y</RoleName></member></Roles><Empty></Empty>' +
        '<Keys><member>k1</member><member>k2</member></Keys></R>',
    );
  });

  it('uses <item> and millisecond dates for EC2, and per-field list names', () => {
    const xml = renderXml({
      root: 'R',
      content: { groupSet: [{ groupId: 'sg-1' }], t: new Date(Date.UTC(2026, 0, 1)), x: ['a'] },
      shape: { ...EC2_SHAPE, listItemFor: { x: 'member' } },
    });
    assert.equal(
      xml,
      `${HEAD}<R><groupSet><item><groupId>sg-1</groupId></item></groupSet>` +
        '<t>2026-01-01T00:00:00.000Z</t><x><member>a</member></x></R>',
    );
  });
});

describe('protocol envelopes', () => {
  const ctx = {
    action: 'CreateRole',
    requestId: 'rid',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
  };
  it('wraps query results in <XResult> with ResponseMetadata, and omits an empty Result', () => {
    assert.equal(
      queryResponse(ctx, { Role: { RoleName: 'r' } }),
      `${HEAD}<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult>` +
        '<Role><RoleName>r</RoleName></Role></CreateRoleResult>' +
        '<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></CreateRoleResponse>',
    );
    assert.doesNotMatch(queryResponse({ ...ctx, action: 'AttachRolePolicy' }, {}), /Result/);
  });

  it('puts the EC2 body directly in the response with requestId first', () => {
    const r = successResponse(
      'ec2',
      {
        action: 'AuthorizeSecurityGroupIngress',
        requestId: 'rid',
        xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      },
      { body: { return: true } },
    );
    assert.equal(
      r.body,
      `${HEAD}<AuthorizeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
        '<requestId>rid</requestId><return>true</return></AuthorizeSecurityGroupIngressResponse>',
    );
  });

  it('renders errors in each family envelope', () => {
    const err = wireErrorOf(
      new AwsError('EntityAlreadyExists', 'Role with name r already exists.', { httpStatus: 409 }),
    );
    const q = errorResponse('query', err, { requestId: 'rid', xmlns: ctx.xmlns });
    assert.equal(q.status, 409);
    assert.equal(
      q.body,
      `${HEAD}<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
        '<Code>EntityAlreadyExists</Code><Message>Role with name r already exists.</Message></Error>' +
        '<RequestId>rid</RequestId></ErrorResponse>',
    );
    const e = errorResponse('ec2', err, { requestId: 'rid', xmlns: undefined });
    assert.equal(
      e.body,
      `${HEAD}<Response><Errors><Error><Code>EntityAlreadyExists</Code><Message>Role with name r already exists.</Message>` +
        '</Error></Errors><RequestID>rid</RequestID></Response>',
    );
    const j = errorResponse(
      'rest-json',
      { ...err, fields: { clusterName: 'c' } },
      { requestId: 'rid', xmlns: undefined },
    );
    assert.equal(j.headers['x-amzn-ErrorType'], 'EntityAlreadyExists');
    assert.deepEqual(JSON.parse(j.body), {
      clusterName: 'c',
      message: 'Role with name r already exists.',
    });
    assert.equal(j.headers['x-amzn-RequestId'], 'rid');
  });
});

describe('flattened list parameters', () => {
  it('reads query and ec2 lists in index order, nested by remainder', () => {
    const p = new Map([
      ['Tags.member.2.Key', 'b'],
      ['Tags.member.1.Key', 'a'],
      ['Tags.member.1.Value', '1'],
      ['TagKeys.member.1', 'x'],
      ['IpPermissions.1.IpRanges.1.CidrIp', '10.0.0.0/16'],
    ]);
    assert.deepEqual(
      memberList(p, 'Tags.member').map((e) => Object.fromEntries(e)),
      [{ Key: 'a', Value: '1' }, { Key: 'b' }],
    );
    assert.deepEqual(memberStrings(p, 'TagKeys.member'), ['x']);
    const perm = memberList(p, 'IpPermissions')[0] ?? new Map<string, string>();
    assert.deepEqual(
      memberList(perm, 'IpRanges').map((e) => e.get('CidrIp')),
      ['10.0.0.0/16'],
    );
  });
});

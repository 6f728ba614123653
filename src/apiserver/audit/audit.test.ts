import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import type { ApiRequest } from '../http-types.ts';
import { parseRequestInfo } from '../request-info.ts';
import { ApiServer } from '../server.ts';
import { Auditor } from './auditor.ts';
import { auditLevel, DEFAULT_AUDIT_POLICY, type PolicyAttributes } from './policy.ts';
import { AuditFileWriter } from './writer.ts';

const ADMIN = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

function request(method: string, path: string, body?: unknown): ApiRequest {
  const [p = '', q = ''] = path.split('?');
  return {
    method,
    path: p,
    query: new URLSearchParams(q),
    headers: { 'content-type': 'application/json', 'user-agent': 'kubectl/v1.32.0 (linux/amd64)' },
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    user: ADMIN,
    signal: new AbortController().signal,
  };
}

const attrs = (over: Partial<PolicyAttributes>): PolicyAttributes => ({
  user: ADMIN,
  verb: 'get',
  resourceRequest: true,
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: '',
  path: '/api/v1/namespaces/default/pods',
  ...over,
});

test('the default policy: None for control-plane reads of events and leases, Request for writes', () => {
  const cm = { username: 'system:kube-controller-manager', groups: [] };
  assert.equal(
    auditLevel(DEFAULT_AUDIT_POLICY, attrs({ user: cm, resource: 'events', verb: 'watch' })),
    'None',
  );
  assert.equal(
    auditLevel(
      DEFAULT_AUDIT_POLICY,
      attrs({ user: cm, apiGroup: 'coordination.k8s.io', resource: 'leases' }),
    ),
    'None',
  );
  assert.equal(
    auditLevel(DEFAULT_AUDIT_POLICY, attrs({ resource: 'events', verb: 'list' })),
    'Metadata',
  );
  assert.equal(auditLevel(DEFAULT_AUDIT_POLICY, attrs({ verb: 'create' })), 'Request');
  assert.equal(
    auditLevel(DEFAULT_AUDIT_POLICY, attrs({ verb: 'create', resource: 'secrets' })),
    'Metadata',
  );
  assert.equal(auditLevel(DEFAULT_AUDIT_POLICY, attrs({ verb: 'get' })), 'Metadata');
  const health = attrs({
    resourceRequest: false,
    resource: '',
    namespace: '',
    path: '/readyz',
    verb: 'get',
  });
  assert.equal(auditLevel(DEFAULT_AUDIT_POLICY, health), 'None');
  const custom = {
    rules: [
      { level: 'RequestResponse' as const, resources: [{ group: '', resources: ['*/status'] }] },
    ],
  };
  assert.equal(auditLevel(custom, attrs({ subresource: 'status' })), 'RequestResponse');
  assert.equal(auditLevel(custom, attrs({})), 'None');
});

test('an event carries who, what, the outcome, the decision and timestamps', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  const lines: string[] = [];
  const auditor = new Auditor({
    sink: { write: (l) => lines.push(l) },
    clock,
    ids: sequentialIds(),
  });
  const req = request(
    'POST',
    '/apis/apps/v1/namespaces/x/deployments?fieldManager=kubectl-create',
    {
      metadata: { name: 'd' },
    },
  );
  const viewer = { username: 'viewer', groups: ['viewers'] };
  clock.advance(5);
  auditor.record({
    req,
    info: parseRequestInfo(req.method, req.path, req.query),
    response: {
      status: 403,
      headers: {},
      body: JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        message: 'no',
        reason: 'Forbidden',
        code: 403,
      }),
    },
    acting: viewer,
    decision: { decision: 'no-opinion', reason: '' },
    receivedAt: Date.UTC(2026, 0, 1, 0, 0, 0, 250),
    requestURI: '/apis/apps/v1/namespaces/x/deployments?fieldManager=kubectl-create',
    remoteAddress: '127.0.0.1',
  });
  assert.equal(lines.length, 1);
  assert.deepEqual(JSON.parse(lines[0] ?? ''), {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Request',
    auditID: '00000000-0000-4000-8000-000000000001',
    stage: 'ResponseComplete',
    requestURI: '/apis/apps/v1/namespaces/x/deployments?fieldManager=kubectl-create',
    verb: 'create',
    user: ADMIN,
    impersonatedUser: viewer,
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.32.0 (linux/amd64)',
    objectRef: { resource: 'deployments', namespace: 'x', apiGroup: 'apps', apiVersion: 'v1' },
    responseStatus: {
      metadata: {},
      code: 403,
      status: 'Failure',
      message: 'no',
      reason: 'Forbidden',
    },
    requestObject: { metadata: { name: 'd' } },
    requestReceivedTimestamp: '2026-01-01T00:00:00.250000Z',
    stageTimestamp: '2026-01-01T00:00:00.255000Z',
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  });
});

test('ApiServer.handle audits every request; the file rotates by size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-audit-'));
  const path = join(dir, 'audit.log');
  const clock = new ManualClock();
  const writer = new AuditFileWriter({ path, clock, maxBytes: 2000, maxBackups: 2 });
  const store = new CachedStore({ persistence: noPersistence });
  const api = new ApiServer({
    store,
    clock,
    ids: sequentialIds(),
    auditor: new Auditor({ sink: writer, clock }),
  });
  await api.handle(request('POST', '/api/v1/namespaces', { metadata: { name: 'x' } }));
  await api.handle(request('GET', '/api/v1/namespaces/x'));
  await api.handle(request('GET', '/healthz'));
  const events = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    events.map((e) => [e['verb'], e['level'], (e['responseStatus'] as { code: number }).code]),
    [
      ['create', 'Request', 201],
      ['get', 'Metadata', 200],
    ],
  );
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    await api.handle(request('GET', `/api/v1/namespaces/n${String(i)}`));
  }
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 3);
  assert.ok(files.includes('audit.log'));
  assert.ok(files.every((f) => /^audit(-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)?\.log$/.test(f)));
  assert.ok(readFileSync(path).length <= 2000);
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCa, issueCertificate } from '../../src/daemon/pki.ts';
import { systemClock } from '../../src/util/index.ts';
import { startCluster, type TestCluster } from './harness.ts';

/**
 * Admission webhooks end to end: a webhook server with its own CA, configurations applied
 * with the real kubectl 1.32, and kubectl's view of mutations, denials and failures.
 */

interface Review {
  readonly request: {
    readonly uid: string;
    readonly dryRun: boolean;
    readonly object: { metadata: { labels?: Record<string, string> } } | null;
  };
}

function answer(review: Review, response: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: review.request.uid, allowed: true, ...response },
  });
}

/** The webhook server's routes: `/mutate` labels pods, `/validate` denies `deny=true`. */
function respond(path: string, review: Review): string {
  const labels = review.request.object?.metadata.labels;
  if (path.startsWith('/mutate')) {
    const ops =
      labels === undefined
        ? [{ op: 'add', path: '/metadata/labels', value: { mutated: 'true' } }]
        : [{ op: 'add', path: '/metadata/labels/mutated', value: 'true' }];
    return answer(review, {
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
    });
  }
  if (labels?.['deny'] === 'true') {
    return answer(review, {
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message: 'pods labelled deny=true are not allowed',
      },
    });
  }
  return answer(review, { warnings: ['checked by the kiln test webhook'] });
}

interface WebhookServer {
  readonly server: Server;
  readonly port: number;
  readonly caBundle: string;
  readonly reviews: Review[];
}

async function startWebhookServer(): Promise<WebhookServer> {
  const ca = await createCa({ commonName: 'webhook-test-ca', clock: systemClock });
  const leaf = await issueCertificate({
    ca,
    commonName: 'webhook',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    clock: systemClock,
  });
  const reviews: Review[] = [];
  const server = createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // SAFETY: the API server sends AdmissionReview JSON; a test failure shows otherwise.
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      reviews.push(review);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(respond(req.url ?? '', review));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port; // SAFETY: a TCP listener.
  return { server, port, caBundle: Buffer.from(ca.cert).toString('base64'), reviews };
}

function configurations(w: WebhookServer): string {
  const url = (path: string): string => `https://127.0.0.1:${w.port}${path}`;
  return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: add-label
webhooks:
- name: add-label.kiln.test
  clientConfig:
    url: ${url('/mutate')}
    caBundle: ${w.caBundle}
  rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
  objectSelector:
    matchExpressions:
    - key: skip-mutation
      operator: DoesNotExist
  sideEffects: None
  admissionReviewVersions: ["v1"]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: deny
webhooks:
- name: deny.kiln.test
  clientConfig:
    url: ${url('/validate')}
    caBundle: ${w.caBundle}
  rules:
  - operations: ["CREATE", "UPDATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
    scope: Namespaced
  namespaceSelector:
    matchLabels:
      webhooks: "on"
  sideEffects: NoneOnDryRun
  admissionReviewVersions: ["v1"]
`;
}

function podYaml(ns: string, name: string, labels: Record<string, string>): string {
  const lines = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`);
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
${lines.length > 0 ? `  labels:\n${lines.join('\n')}\n` : ''}spec:
  containers:
  - name: c
    image: nginx
`;
}

describe('admission webhooks through kubectl', () => {
  let c: TestCluster;
  let w: WebhookServer;
  const apply = (yaml: string, extra: string[] = []): ReturnType<TestCluster['kubectl']> =>
    c.kubectl('1.32', ['apply', '-f', '-', ...extra], { stdin: yaml });
  const labelsOf = async (ns: string, name: string): Promise<Record<string, string>> => {
    const r = await c.kubectl('1.32', ['get', 'pod', name, '-n', ns, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    // SAFETY: kubectl prints the pod as JSON.
    return (
      (JSON.parse(r.stdout) as { metadata: { labels?: Record<string, string> } }).metadata.labels ??
      {}
    );
  };

  before(async () => {
    c = await startCluster();
    w = await startWebhookServer();
    const ns = await apply(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: wh\n  labels:\n    webhooks: "on"\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: plain\n',
    );
    assert.equal(ns.code, 0, ns.stderr);
    const r = await apply(configurations(w));
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /mutatingwebhookconfiguration.admissionregistration.k8s.io\/add-label created/,
    );
  });
  after(async () => {
    w.server.closeAllConnections();
    w.server.close();
    await c.stop();
  });

  it('mutates pods, unless the objectSelector excludes them', async () => {
    const r = await apply(podYaml('wh', 'mutated', { app: 'web' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: checked by the kiln test webhook/);
    assert.deepEqual(await labelsOf('wh', 'mutated'), { app: 'web', mutated: 'true' });
    const skip = await apply(podYaml('wh', 'skipped', { 'skip-mutation': 'yes' }));
    assert.equal(skip.code, 0, skip.stderr);
    assert.deepEqual(await labelsOf('wh', 'skipped'), { 'skip-mutation': 'yes' });
  });

  it('denies pods through the validating webhook, only in selected namespaces', async () => {
    const denied = await apply(podYaml('wh', 'denied', { deny: 'true' }));
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "deny.kiln.test" denied the request: pods labelled deny=true are not allowed/,
    );
    const elsewhere = await apply(podYaml('plain', 'allowed', { deny: 'true' }));
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
  });

  it('refuses a dry run for a webhook with side effects and passes dryRun to the others', async () => {
    // The v1 API no longer accepts sideEffects: Some on create, so the configuration is
    // written to storage as one surviving from v1beta1 would be.
    const store = c.daemon.defaultCluster.store;
    await store.create('/validatingwebhookconfigurations.admissionregistration.k8s.io/legacy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'legacy', uid: 'legacy-uid', creationTimestamp: new Date().toISOString() },
      webhooks: [
        {
          name: 'side-effects.kiln.test',
          clientConfig: { url: `https://127.0.0.1:${w.port}/validate`, caBundle: w.caBundle },
          rules: [
            { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
          ],
          namespaceSelector: { matchLabels: { webhooks: 'on' } },
          sideEffects: 'Some',
          admissionReviewVersions: ['v1'],
        },
      ],
    });
    const dry = await apply(podYaml('wh', 'dry', {}), ['--dry-run=server']);
    assert.notEqual(dry.code, 0);
    assert.match(
      dry.stderr,
      /Error from server \(BadRequest\): error when creating "STDIN": admission webhook "side-effects.kiln.test" does not support dry run/,
    );
    const del = await c.kubectl('1.32', ['delete', 'validatingwebhookconfiguration', 'legacy']);
    assert.equal(del.code, 0, del.stderr);
    const before = w.reviews.length;
    const ok = await apply(podYaml('wh', 'dry', {}), ['--dry-run=server']);
    assert.equal(ok.code, 0, ok.stderr);
    const sent = w.reviews.slice(before);
    assert.ok(sent.length >= 2 && sent.every((r) => r.request.dryRun));
  });

  it('fails closed with failurePolicy Fail and open with Ignore when the server is down', async () => {
    w.server.closeAllConnections();
    await new Promise((resolve) => w.server.close(resolve));
    const down = await apply(podYaml('plain', 'down', {}));
    assert.notEqual(down.code, 0);
    assert.ok(
      down.stderr.includes(
        `Internal error occurred: failed calling webhook "add-label.kiln.test": failed to call webhook: Post "https://127.0.0.1:${w.port}/mutate?timeout=10s": dial tcp 127.0.0.1:${w.port}: connect: connection refused`,
      ),
      down.stderr,
    );
    const patch = await c.kubectl('1.32', [
      'patch',
      'mutatingwebhookconfiguration',
      'add-label',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/webhooks/0/failurePolicy","value":"Ignore"}]',
    ]);
    assert.equal(patch.code, 0, patch.stderr);
    const open = await apply(podYaml('plain', 'down', {}));
    assert.equal(open.code, 0, open.stderr);
    assert.deepEqual(await labelsOf('plain', 'down'), {});
  });
});

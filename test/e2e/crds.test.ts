import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunResult, type TestCluster } from './harness.ts';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: CronTabSpec is what the user wants.
            properties:
              cronSpec:
                type: string
                description: The cron schedule the job runs on.
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                default: 1
          status:
            type: object
            properties:
              phase:
                type: string
`;

const CRONTAB = (replicas: string): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-cron
  namespace: default
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image
  replicas: ${replicas}
`;

describe('CustomResourceDefinitions through kubectl 1.32', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c.stop();
  });

  /** Each call gets a fresh discovery cache, so it sees resources added just before. */
  const kubectl = (args: readonly string[], stdin?: string): Promise<RunResult> =>
    c.kubectl(
      '1.32',
      [...args, '--cache-dir', mkdtempSync(join(c.stateDir, 'cache-'))],
      stdin === undefined ? {} : { stdin },
    );

  it('applies a CRD and waits for it to be established', async () => {
    const applied = await kubectl(['apply', '-f', '-'], CRD);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(
      applied.stdout.trim(),
      'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created',
    );
    const waited = await kubectl([
      'wait',
      '--for',
      'condition=established',
      '--timeout=20s',
      'crd/crontabs.stable.example.com',
    ]);
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /condition met/);
  });

  it('lists the resource in api-resources with its short name', async () => {
    const r = await kubectl(['api-resources', '--api-group', 'stable.example.com']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab/);
  });

  it('applies a custom resource and prints the printer columns', async () => {
    const applied = await kubectl(['apply', '-f', '-'], CRONTAB('2'));
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout.trim(), 'crontab.stable.example.com/my-cron created');
    const got = await kubectl(['get', 'crontabs']);
    assert.equal(got.code, 0, got.stderr);
    const [header, row] = got.stdout.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
    assert.match(row ?? '', /^my-cron\s+\* \* \* \* \*\/5\s+2\s+\d+s$/);
    const short = await kubectl(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(short.code, 0, short.stderr);
    assert.equal(short.stdout, '2');
  });

  it('describes a custom resource', async () => {
    const r = await kubectl(['describe', 'crontab', 'my-cron']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Name:\s+my-cron$/m);
    assert.match(r.stdout, /^API Version:\s+stable\.example\.com\/v1$/m);
    assert.match(r.stdout, /^\s+Cron Spec:\s+\* \* \* \* \*\/5$/m);
  });

  it('explains the schema', async () => {
    const r = await kubectl(['explain', 'crontab.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+CronTab/);
    assert.match(r.stdout, /CronTabSpec is what the user wants\./);
    assert.match(r.stdout, /cronSpec\s+<string>\s+The cron schedule the job runs on\./);
  });

  it('rejects an invalid object with the schema error', async () => {
    const r = await kubectl(['apply', '-f', '-'], CRONTAB('"two"'));
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/,
    );
    const low = await kubectl(['apply', '-f', '-'], CRONTAB('0'));
    assert.notEqual(low.code, 0);
    assert.match(
      low.stderr,
      /spec\.replicas: Invalid value: 0: spec\.replicas in body should be greater than or equal to 1/,
    );
  });

  it('status patches keep the generation; spec patches bump it', async () => {
    const st = await kubectl([
      'patch',
      'crontab',
      'my-cron',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running"}}',
    ]);
    assert.equal(st.code, 0, st.stderr);
    const afterStatus = await kubectl([
      'get',
      'crontab',
      'my-cron',
      '-o',
      'jsonpath={.metadata.generation} {.status.phase}',
    ]);
    assert.equal(afterStatus.stdout, '1 Running');
    const sp = await kubectl([
      'patch',
      'crontab',
      'my-cron',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
    ]);
    assert.equal(sp.code, 0, sp.stderr);
    const afterSpec = await kubectl([
      'get',
      'crontab',
      'my-cron',
      '-o',
      'jsonpath={.metadata.generation} {.spec.replicas}',
    ]);
    assert.equal(afterSpec.stdout, '2 3');
  });

  it('deleting the CRD removes its custom resources', async () => {
    const del = await kubectl(['delete', 'crd', 'crontabs.stable.example.com']);
    assert.equal(del.code, 0, del.stderr);
    const cluster = c.daemon.clusters.get('default');
    assert.ok(cluster, 'the default cluster');
    await cluster.api.crds.idle();
    assert.equal(cluster.store.count('/crontabs.stable.example.com/'), 0);
    const got = await kubectl(['get', 'crontabs']);
    assert.notEqual(got.code, 0);
    assert.match(got.stderr, /the server doesn't have a resource type "crontabs"/);
  });
});

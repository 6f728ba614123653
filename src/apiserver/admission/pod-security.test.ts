import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginHarness, pod, rejection } from './plugin-test-kit.ts';
import { evaluatePod, describeViolations } from './pod-security-checks.ts';
import { podSecurity } from './pod-security.ts';

const label = (mode: string, level: string): Record<string, string> => ({
  [`pod-security.kubernetes.io/${mode}`]: level,
});

async function harness(labels: Record<string, string>) {
  const h = await pluginHarness((store) => [podSecurity({ store })], []);
  await h.client.create('/api/v1/namespaces', { metadata: { name: 'x', labels } });
  return h;
}

test('restricted enforce rejects a plain pod with upstream wording', async () => {
  const h = await harness(label('enforce', 'restricted'));
  const e = await rejection(
    h.client.create(
      '/api/v1/namespaces/x/pods',
      pod('p', { containers: [{ name: 'x', image: 'nginx' }] }),
    ),
  );
  assert.equal(e.httpStatus, 403);
  assert.equal(
    e.message,
    'pods "p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  const ok = pod('q', {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'x',
        image: 'nginx',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  });
  await h.client.create('/api/v1/namespaces/x/pods', ok);
});

test('baseline enforce: privileged, host namespaces, hostPath; warn adds a Warning header', async () => {
  const h = await harness({ ...label('enforce', 'baseline'), ...label('warn', 'restricted') });
  const bad = pod('p', {
    hostNetwork: true,
    volumes: [{ name: 'h', hostPath: { path: '/' } }],
    containers: [{ name: 'a', image: 'nginx', securityContext: { privileged: true } }],
  });
  const e = await rejection(h.client.create('/api/v1/namespaces/x/pods', bad));
  assert.equal(
    e.message,
    'pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPath volumes (volume "h"), privileged (container "a" must not set securityContext.privileged=true)',
  );
  const res = await h.send('POST', '/api/v1/namespaces/x/pods', pod('w'));
  assert.equal(res.status, 201);
  const warning = res.headers['Warning'];
  assert.ok(Array.isArray(warning));
  assert.match(
    String(warning[0]),
    /^299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false/,
  );
  // Workloads are warned about, never rejected.
  const deploy = await h.send('POST', '/apis/apps/v1/namespaces/x/deployments', {
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: bad['spec'] },
    },
  });
  assert.equal(deploy.status, 201);
  assert.match(
    String((deploy.headers['Warning'] as string[])[0]),
    /would violate PodSecurity "restricted:latest"|would violate PodSecurity \\"restricted:latest\\"/,
  );
});

test('restricted checks list several containers and volumes the upstream way', () => {
  const v = evaluatePod('restricted', {
    annotations: {},
    spec: {
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
        runAsUser: 0,
      },
      volumes: [
        { name: 'n', nfs: { server: 's', path: '/' } },
        { name: 'c', configMap: { name: 'c' } },
      ],
      containers: ['a', 'b'].map((name) => ({
        name,
        image: 'i',
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
        },
      })),
    },
  });
  assert.equal(
    describeViolations(v),
    'unrestricted capabilities (containers "a", "b" must not include "NET_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "n" uses restricted volume type "nfs"), runAsUser=0 (pod must not set runAsUser=0)',
  );
});

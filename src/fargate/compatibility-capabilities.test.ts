import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { fargateIncompatibilities } from './compatibility.ts';
import type { FargatePod } from './types.ts';

const noStorage = { persistentVolumeClaim: () => undefined, persistentVolume: () => undefined };

function withCapabilities(add: string[], drop: string[] = []): FargatePod {
  const c: Container = {
    name: 'coredns',
    image: 'coredns',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { add, drop } },
  };
  return { metadata: { namespace: 'kube-system', name: 'p' }, spec: { containers: [c] } };
}

describe('Fargate added capabilities', () => {
  const cases: { name: string; add: string[]; drop?: string[]; want: string[] }[] = [
    {
      name: "EKS's CoreDNS (NET_BIND_SERVICE, drop ALL)",
      add: ['NET_BIND_SERVICE'],
      drop: ['ALL'],
      want: [],
    },
    { name: 'SYS_PTRACE, as AWS documents', add: ['SYS_PTRACE'], want: [] },
    {
      name: 'CAP_-prefixed and lower case',
      add: ['cap_net_bind_service', 'CAP_SYS_PTRACE'],
      want: [],
    },
    {
      name: 'an allowed one beside a refused one',
      add: ['NET_BIND_SERVICE', 'CHOWN'],
      want: ['invalid SecurityContext fields: Capabilities added: CAP_CHOWN'],
    },
    {
      name: 'NET_ADMIN stays refused',
      add: ['NET_ADMIN'],
      want: ['invalid SecurityContext fields: Capabilities added: CAP_NET_ADMIN'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        fargateIncompatibilities(withCapabilities(c.add, c.drop), noStorage),
        c.want,
      );
    });
  }
});

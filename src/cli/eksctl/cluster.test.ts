import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsTokenVerifier, InMemoryAwsCredentialStore } from '../../apiserver/authn/index.ts';
import { parseClusterConfig } from './config-file.ts';
import { scheduleCorednsOnFargate, selectsCoredns } from './coredns.ts';
import { eksToken, eksctlKubeconfig, kubeconfigUsername } from './kube.ts';
import { planNodegroup, validateNumberOfNodes } from './nodegroup.ts';
import { nodegroupSummary, printClusterSummaries, printNodegroups } from './print-eks.ts';
import { planSubnets } from './vpc.ts';

describe('eksctl cluster and node group helpers', () => {
  it('lays subnets out as eksctl: /19s, public first, private after', () => {
    assert.deepEqual(planSubnets('192.168.0.0/16', ['a', 'b', 'c']), [
      { zone: 'a', publicCidr: '192.168.0.0/19', privateCidr: '192.168.96.0/19' },
      { zone: 'b', publicCidr: '192.168.32.0/19', privateCidr: '192.168.128.0/19' },
      { zone: 'c', publicCidr: '192.168.64.0/19', privateCidr: '192.168.160.0/19' },
    ]);
    assert.equal(planSubnets('10.0.0.0/8', ['a'])[0]?.privateCidr, '10.32.0.0/11');
    assert.throws(() => planSubnets('10.0.0/8', ['a']), /invalid CIDR/);
  });

  it('fills node group defaults and validates sizes in eksctl words', () => {
    const p = planNodegroup({}, () => 'ng-12345678');
    assert.deepEqual(
      [p.name, p.instanceTypes, p.desired, p.min, p.max, p.volumeSize, p.amiFamily],
      ['ng-12345678', ['m5.large'], 2, 2, 2, 80, 'AmazonLinux2023'],
    );
    const q = planNodegroup({ name: 'x', desiredCapacity: 3, maxSize: 5 }, () => 'unused');
    assert.deepEqual([q.name, q.desired, q.min, q.max], ['x', 3, 3, 5]);
    const cases: [Parameters<typeof validateNumberOfNodes>[0], string][] = [
      [{}, 'number of nodes must be 0 or greater'],
      [{ desired: -1 }, 'number of nodes must be 0 or greater'],
      [{ desired: 1, max: -1 }, 'maximum number of nodes must be 0 or greater'],
      [
        { desired: 1, min: 2, max: 3 },
        'number of nodes must be within range of min nodes and max nodes',
      ],
      [
        { desired: 4, max: 3 },
        'maximum number of nodes must be greater than or equal to number of nodes',
      ],
      [{ desired: 1, min: -1 }, 'minimum number of nodes must be 0 or greater'],
      [
        { desired: 1, min: 2 },
        'minimum number of nodes must be less than or equal to number of nodes',
      ],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => {
          validateNumberOfNodes(input);
        },
        { message },
      );
    }
    assert.doesNotThrow(() => {
      validateNumberOfNodes({ desired: 0, min: 0, max: 1 });
    });
  });

  it('reads managedNodeGroups, metadata.version and vpc.cidr from a ClusterConfig', () => {
    const c = parseClusterConfig(
      [
        'apiVersion: eksctl.io/v1alpha5',
        'kind: ClusterConfig',
        'metadata: {name: c1, region: ap-northeast-2, version: "1.31"}',
        'vpc: {cidr: 10.10.0.0/16}',
        'managedNodeGroups:',
        '- name: ng-a',
        '  instanceType: t3.large',
        '  desiredCapacity: 3',
        '  privateNetworking: true',
        '  labels: {role: app}',
      ].join('\n'),
    );
    assert.equal(c.version, '1.31');
    assert.equal(c.vpcCidr, '10.10.0.0/16');
    assert.deepEqual(c.managedNodeGroups[0], {
      name: 'ng-a',
      instanceTypes: ['t3.large'],
      desiredCapacity: 3,
      amiFamily: '',
      privateNetworking: true,
      labels: { role: 'app' },
      tags: {},
    });
  });

  it('prints get cluster and get nodegroup tables with eksctl columns, sorted rows', () => {
    assert.equal(
      printClusterSummaries(
        [
          { Name: 'zeta', Region: 'us-east-1', Owned: 'False' },
          { Name: 'alpha', Region: 'us-east-1', Owned: 'True' },
        ],
        'table',
      ),
      'NAME\tREGION\t\tEKSCTL CREATED\nalpha\tus-east-1\tTrue\nzeta\tus-east-1\tFalse\n',
    );
    assert.equal(printClusterSummaries([], 'table'), 'No clusters found\n');
    assert.match(printClusterSummaries([], 'json'), /^\[\]\n$/);
    const summary = nodegroupSummary({
      clusterName: 'c',
      nodegroupName: 'ng-1',
      status: 'ACTIVE',
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
      instanceTypes: ['m5.large'],
      amiType: 'AL2023_x86_64_STANDARD',
      createdAt: new Date('2025-01-02T03:04:05.678Z'),
      nodeRole: 'arn:aws:iam::1:role/r',
      resources: { autoScalingGroups: [{ name: 'eks-ng-1-x' }] },
      version: '1.32',
    });
    assert.equal(
      printNodegroups([summary], 'table'),
      'CLUSTER\tNODEGROUP\tSTATUS\tCREATED\t\t\tMIN SIZE\tMAX SIZE\tDESIRED CAPACITY\tINSTANCE TYPE\tIMAGE ID\t\tASG NAME\tTYPE\n' +
        'c\tng-1\t\tACTIVE\t2025-01-02T03:04:05Z\t1\t\t3\t\t2\t\t\tm5.large\tAL2023_x86_64_STANDARD\teks-ng-1-x\tmanaged\n',
    );
    // SAFETY: the JSON printer prints a list of summaries.
    const printed = JSON.parse(printNodegroups([summary], 'json')) as object[];
    assert.deepEqual(Object.keys(printed[0] ?? {}), [
      'StackName',
      'Cluster',
      'Name',
      'Status',
      'MaxSize',
      'MinSize',
      'DesiredCapacity',
      'InstanceType',
      'ImageID',
      'CreationTime',
      'NodeInstanceRoleARN',
      'AutoScalingGroupName',
      'Version',
      'Type',
    ]);
    assert.throws(() => printNodegroups([summary], 'wide'), /unknown output printer type/);
  });

  it('builds a k8s-aws-v1 token the EKS verifier accepts', () => {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5);
    const target = {
      endpoint: 'http://127.0.0.1:4566',
      region: 'ap-northeast-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const verifier = new AwsTokenVerifier({
      clusterId: 'demo',
      credentials: new InMemoryAwsCredentialStore(),
      clock: { now: () => now + 1000 },
    });
    assert.equal(
      verifier.verify(eksToken(target, 'demo', now)).arn,
      'arn:aws:iam::000000000000:root',
    );
    assert.throws(() => verifier.verify(eksToken(target, 'other', now)));
  });

  it('writes eksctl-named kubeconfig entries with an aws eks get-token user', () => {
    assert.equal(kubeconfigUsername('arn:aws:iam::1:root'), 'iam-root-account');
    assert.equal(kubeconfigUsername('arn:aws:iam::1:user/alice'), 'alice');
    const k = eksctlKubeconfig({
      cluster: 'demo',
      region: 'us-east-1',
      server: 'https://x',
      caData: 'Q0E=',
      username: 'alice',
    });
    assert.equal(k['current-context'], 'alice@demo.us-east-1.eksctl.io');
    assert.match(
      JSON.stringify(k['users']),
      /"get-token".*"--cluster-name","demo","--region","us-east-1"/,
    );
  });

  it('decides like eksctl whether a profile selects CoreDNS', () => {
    const p = (namespace: string, labels: Record<string, string>) => [
      { selectors: [{ namespace, labels }] },
    ];
    assert.equal(selectsCoredns(p('kube-system', {})), true);
    assert.equal(
      selectsCoredns(p('kube-system', { 'eks.amazonaws.com/component': 'coredns' })),
      true,
    );
    assert.equal(selectsCoredns(p('kube-system', { 'k8s-app': 'kube-dns' })), false);
    assert.equal(selectsCoredns(p('default', {})), false);
  });

  it('patches the coredns template to Fargate and waits for its pods on fargate- nodes', async () => {
    const lines: string[] = [];
    const calls: string[] = [];
    let patched = false;
    let checks = 0;
    const deployment = () => ({
      spec: {
        replicas: 2,
        template: {
          metadata: { annotations: patched ? { 'eks.amazonaws.com/compute-type': 'fargate' } : {} },
        },
      },
      status: { readyReplicas: 2 },
    });
    const pod = (node: string) => ({
      metadata: { annotations: { 'eks.amazonaws.com/compute-type': 'fargate' } },
      spec: { nodeName: node },
      status: { phase: 'Running' },
    });
    await scheduleCorednsOnFargate(
      {
        kube: (r) => {
          calls.push(`${r.method} ${r.contentType ?? ''}`);
          if (r.method === 'PATCH') {
            patched = true;
            return Promise.resolve({ status: 200, body: deployment() });
          }
          if (r.path.includes('/pods')) {
            checks++;
            const node = checks >= 3 ? 'fargate-ip-10-0-0-1.ec2.internal' : 'ip-192-168-0-5';
            return Promise.resolve({ status: 200, body: { items: [pod(node)] } });
          }
          return Promise.resolve({ status: 200, body: deployment() });
        },
        info: (m) => lines.push(m),
        warn: (m) => lines.push(`! ${m}`),
        sleep: () => Promise.resolve(),
        now: () => 0,
        timeoutMs: 1000,
      },
      [{ selectors: [{ namespace: 'kube-system', labels: {} }] }],
    );
    assert.ok(calls.includes('PATCH application/merge-patch+json'));
    assert.equal(lines[0], '"coredns" is now schedulable onto Fargate');
    assert.equal(lines.at(-1), '"coredns" pods are now scheduled onto Fargate');
  });

  it('skips CoreDNS with a warning when the cluster has none', async () => {
    const lines: string[] = [];
    await scheduleCorednsOnFargate(
      {
        kube: () => Promise.resolve({ status: 404, body: { message: 'not found' } }),
        info: (m) => lines.push(m),
        warn: (m) => lines.push(`! ${m}`),
        sleep: () => Promise.resolve(),
        now: () => 0,
        timeoutMs: 1000,
      },
      [{ selectors: [{ namespace: 'kube-system', labels: {} }] }],
    );
    assert.deepEqual(lines, [
      '! deployment "coredns" not found in namespace "kube-system"; skipping scheduling it onto Fargate',
    ]);
  });
});

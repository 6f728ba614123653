import type { KubeObject } from '../api/index.ts';

/**
 * The kube-system workloads an EKS cluster comes with (the default add-ons): CoreDNS as a
 * two-replica Deployment behind the `kube-dns` Service, and the `kube-proxy` and `aws-node`
 * (VPC CNI) DaemonSets. Shapes follow what `kubectl get -o yaml` shows on EKS 1.32, trimmed of
 * what Kiln has no use for. The DaemonSets keep off Fargate (and hybrid/auto) nodes by node
 * affinity, as EKS's own manifests do: that is why the seeds can say DaemonSets never run on
 * Fargate even though these tolerate every taint.
 */

/** ECR's account for EKS images in most regions. */
const ECR_ACCOUNT = '602401143452';

const image = (region: string, repo: string, tag: string): string =>
  `${ECR_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repo}:${tag}`;

const LINUX_AMD64_ARM64 = [
  { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
];

/** EKS's node affinity for node-level DaemonSets: never on Fargate, hybrid or auto nodes. */
const NODE_DAEMON_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        {
          matchExpressions: [
            ...LINUX_AMD64_ARM64,
            {
              key: 'eks.amazonaws.com/compute-type',
              operator: 'NotIn',
              values: ['fargate', 'hybrid', 'auto'],
            },
          ],
        },
      ],
    },
  },
};

const meta = (name: string, labels: Record<string, string>): KubeObject['metadata'] => ({
  name,
  namespace: 'kube-system',
  labels,
});

const serviceAccount = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: meta(name, { 'eks.amazonaws.com/component': name }),
});

const COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

function coredns(region: string): KubeObject[] {
  const labels = { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('coredns', { ...labels, 'kubernetes.io/name': 'CoreDNS' }),
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: LINUX_AMD64_ARM64 }],
              },
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: {
                      matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }],
                    },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'coredns',
              image: image(region, 'eks/coredns', 'v1.11.4-eksbuild.2'),
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
              ],
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              livenessProbe: {
                httpGet: { path: '/health', port: 8080, scheme: 'HTTP' },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
            },
          ],
          dnsPolicy: 'Default',
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          tolerations: [
            { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
          ],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          volumes: [
            {
              name: 'config-volume',
              configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] },
            },
          ],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('kube-dns', {
      'eks.amazonaws.com/component': 'kube-dns',
      'k8s-app': 'kube-dns',
      'kubernetes.io/cluster-service': 'true',
      'kubernetes.io/name': 'CoreDNS',
    }),
    spec: {
      clusterIP: '10.100.0.10',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
  const config: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('coredns', { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' }),
    data: { Corefile: COREFILE },
  };
  return [serviceAccount('coredns'), config, service, deployment];
}

function nodeDaemonSet(o: {
  name: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(o.name, o.labels),
    spec: {
      selector: { matchLabels: { 'k8s-app': o.name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { 'k8s-app': o.name } },
        spec: {
          affinity: NODE_DAEMON_AFFINITY,
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          serviceAccountName: o.name,
          tolerations: [{ operator: 'Exists' }],
          ...o.spec,
        },
      },
    },
  };
}

function kubeProxy(region: string): KubeObject[] {
  const ds = nodeDaemonSet({
    name: 'kube-proxy',
    labels: { 'eks.amazonaws.com/component': 'kube-proxy', 'k8s-app': 'kube-proxy' },
    spec: {
      containers: [
        {
          name: 'kube-proxy',
          image: image(region, 'eks/kube-proxy', 'v1.32.0-minimal-eksbuild.2'),
          command: [
            'kube-proxy',
            '--v=2',
            '--config=/var/lib/kube-proxy-config/config',
            '--hostname-override=$(NODE_NAME)',
          ],
          env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          resources: { requests: { cpu: '100m' } },
          securityContext: { privileged: true },
        },
      ],
    },
  });
  return [serviceAccount('kube-proxy'), ds];
}

function awsNode(region: string): KubeObject[] {
  const ds = nodeDaemonSet({
    name: 'aws-node',
    labels: { 'app.kubernetes.io/name': 'aws-node', 'k8s-app': 'aws-node' },
    spec: {
      initContainers: [
        {
          name: 'aws-vpc-cni-init',
          image: image(region, 'amazon-k8s-cni-init', 'v1.19.2-eksbuild.1'),
          resources: { requests: { cpu: '25m' } },
          securityContext: { privileged: true },
        },
      ],
      containers: [
        {
          name: 'aws-node',
          image: image(region, 'amazon-k8s-cni', 'v1.19.2-eksbuild.1'),
          ports: [{ name: 'metrics', containerPort: 61678, protocol: 'TCP' }],
          env: [
            { name: 'AWS_VPC_K8S_CNI_LOGLEVEL', value: 'DEBUG' },
            { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          ],
          resources: { requests: { cpu: '25m' } },
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
        },
        {
          name: 'aws-eks-nodeagent',
          image: image(region, 'amazon/aws-network-policy-agent', 'v1.1.6-eksbuild.1'),
          args: [
            '--enable-ipv6=false',
            '--enable-network-policy=false',
            '--metrics-bind-addr=:8162',
          ],
          resources: { requests: { cpu: '25m' } },
          securityContext: { privileged: true },
        },
      ],
      terminationGracePeriodSeconds: 10,
    },
  });
  return [serviceAccount('aws-node'), ds];
}

/** Every kube-system object of a new EKS cluster in `region`, in creation order. */
export function eksSystemObjects(region: string): KubeObject[] {
  return [...coredns(region), ...kubeProxy(region), ...awsNode(region)];
}

/** The collection path an object of `eksSystemObjects` is created at. */
export function collectionPath(obj: KubeObject): string {
  const plural: Readonly<Record<string, string>> = {
    ServiceAccount: '/api/v1/namespaces/kube-system/serviceaccounts',
    ConfigMap: '/api/v1/namespaces/kube-system/configmaps',
    Service: '/api/v1/namespaces/kube-system/services',
    Deployment: '/apis/apps/v1/namespaces/kube-system/deployments',
    DaemonSet: '/apis/apps/v1/namespaces/kube-system/daemonsets',
  };
  const path = plural[obj.kind ?? ''];
  if (path === undefined) throw new Error(`no collection for kind ${obj.kind ?? '<none>'}`);
  return path;
}

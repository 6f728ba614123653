import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { presignedSignature } from '../../apiserver/authn/sigv4.ts';
import { mergeKubeconfig } from '../../daemon/kubeconfig.ts';
import type { AwsTarget } from './sdk-call.ts';

const TOKEN_PREFIX = 'k8s-aws-v1.';

const amzDate = (now: number): string =>
  new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * A bearer token for an EKS cluster as `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL (regional endpoint) with the cluster name signed in `x-k8s-aws-id`.
 */
export function eksToken(t: AwsTarget, cluster: string, now: number): string {
  const host = `sts.${t.region}.amazonaws.com`;
  const date = amzDate(now);
  const params: [string, string][] = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    [
      'X-Amz-Credential',
      `${t.credentials.accessKeyId}/${date.slice(0, 8)}/${t.region}/sts/aws4_request`,
    ],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', '60'],
    ['X-Amz-SignedHeaders', 'host;x-k8s-aws-id'],
  ];
  const signature = presignedSignature({
    method: 'GET',
    path: '/',
    params,
    headers: { host, 'x-k8s-aws-id': cluster },
    secretAccessKey: t.credentials.secretAccessKey,
    amzDate: date,
    region: t.region,
    service: 'sts',
  });
  const query = new URLSearchParams([...params, ['X-Amz-Signature', signature]]);
  const url = `https://${host}/?${query.toString()}`;
  return TOKEN_PREFIX + Buffer.from(url).toString('base64url');
}

/** How the CLI reaches a cluster's Kubernetes API. */
export interface KubeConnection {
  /** `https://host:port[/path-prefix]`. */
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** One request to the Kubernetes API; JSON in and out. */
export function kubeRequest(
  c: KubeConnection,
  r: { method: string; path: string; body?: unknown; contentType?: string },
): Promise<KubeResponse> {
  const url = new URL(c.server.replace(/\/$/, '') + r.path);
  const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: r.method,
        ca: c.caPem,
        headers: {
          authorization: `Bearer ${c.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': r.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (an upstream error page): kept as text.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** eksctl's user name for the caller: the last path segment of its ARN, or the root marker. */
export function kubeconfigUsername(callerArn: string): string {
  const parts = callerArn.split('/');
  return parts.length > 1 ? (parts[parts.length - 1] ?? '') : 'iam-root-account';
}

/** The kubeconfig document eksctl writes for a cluster (an `aws eks get-token` exec user). */
export function eksctlKubeconfig(o: {
  cluster: string;
  region: string;
  server: string;
  caData: string;
  username: string;
}): Record<string, unknown> {
  const clusterName = `${o.cluster}.${o.region}.eksctl.io`;
  const contextName = `${o.username}@${clusterName}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: clusterName,
        cluster: { server: o.server, 'certificate-authority-data': o.caData },
      },
    ],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: contextName } }],
    'current-context': contextName,
    users: [
      {
        name: contextName,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: [
              'eks',
              'get-token',
              '--output',
              'json',
              '--cluster-name',
              o.cluster,
              '--region',
              o.region,
            ],
            env: [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }],
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
          },
        },
      },
    ],
  };
}

/** Where eksctl writes: `--kubeconfig`, else the first `$KUBECONFIG` path, else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv, flag: string | undefined): string {
  if (flag !== undefined && flag !== '') return flag;
  const first = (env['KUBECONFIG'] ?? '').split(':')[0] ?? '';
  if (first !== '') return first;
  return `${env['HOME'] ?? '.'}/.kube/config`;
}

type KubeconfigDoc = Parameters<typeof mergeKubeconfig>[0];

/** Merges the entry into the file (creating it), making it the current context. */
export function writeKubeconfig(path: string, entry: Record<string, unknown>): void {
  const existing: unknown = existsSync(path) ? parse(readFileSync(path, 'utf8')) : undefined;
  const base =
    typeof existing === 'object' && existing !== null
      ? // SAFETY: a kubeconfig file is a mapping; mergeKubeconfig reads only its named lists.
        (existing as NonNullable<KubeconfigDoc>)
      : undefined;
  const merged = mergeKubeconfig(base, entry);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(merged), { mode: 0o600 });
}

import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  EKSServiceException,
  ListFargateProfilesCommand,
  type FargateProfile,
} from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';

/** Where the AWS endpoint is and who signs: resolved by the CLI's entry point. */
export interface AwsTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface ProfileInput {
  readonly cluster: string;
  readonly name: string;
  readonly podExecutionRoleArn: string;
  readonly selectors: readonly {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  }[];
  readonly subnets: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The EKS and IAM calls the eksctl-compatible commands make. */
export interface EksApi {
  clusterArn(cluster: string): Promise<string>;
  createFargateProfile(p: ProfileInput): Promise<void>;
  describeFargateProfile(cluster: string, name: string): Promise<FargateProfile>;
  listFargateProfiles(cluster: string): Promise<string[]>;
  deleteFargateProfile(cluster: string, name: string): Promise<void>;
  /** Creates the role if missing (as eksctl's fargate stack does); returns its ARN. */
  ensureRole(o: { name: string; trustPolicy: string; policyArn: string }): Promise<string>;
}

/** An AWS error as the Go SDK v2 words it, which eksctl prints after its own context. */
export class AwsCallError extends Error {
  readonly code: string;
  constructor(operation: string, e: EKSServiceException | Error) {
    const meta = '$metadata' in e ? e.$metadata : undefined;
    const code = e.name;
    super(
      meta === undefined
        ? e.message
        : `operation error EKS: ${operation}, https response error StatusCode: ${String(meta.httpStatusCode ?? 0)}, RequestID: ${meta.requestId ?? ''}, ${code}: ${e.message}`,
    );
    this.code = code;
  }
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (e instanceof Error) throw new AwsCallError(operation, e);
    throw e;
  }
}

/** EksApi over the AWS SDK v3 clients, pointed at Kiln's endpoint. */
export function sdkEksApi(t: AwsTarget): EksApi {
  const config = { endpoint: t.endpoint, region: t.region, credentials: t.credentials };
  const eks = new EKSClient(config);
  const iam = new IAMClient(config);
  return {
    clusterArn: async (cluster) => {
      const out = await call('DescribeCluster', () =>
        eks.send(new DescribeClusterCommand({ name: cluster })),
      );
      return out.cluster?.arn ?? '';
    },
    createFargateProfile: async (p) => {
      await call('CreateFargateProfile', () =>
        eks.send(
          new CreateFargateProfileCommand({
            clusterName: p.cluster,
            fargateProfileName: p.name,
            podExecutionRoleArn: p.podExecutionRoleArn,
            selectors: p.selectors.map((s) => ({
              namespace: s.namespace,
              labels: { ...s.labels },
            })),
            ...(p.subnets.length === 0 ? {} : { subnets: [...p.subnets] }),
            ...(Object.keys(p.tags).length === 0 ? {} : { tags: { ...p.tags } }),
          }),
        ),
      );
    },
    describeFargateProfile: async (cluster, name) => {
      const out = await call('DescribeFargateProfile', () =>
        eks.send(
          new DescribeFargateProfileCommand({ clusterName: cluster, fargateProfileName: name }),
        ),
      );
      return out.fargateProfile ?? {};
    },
    listFargateProfiles: async (cluster) => {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await call('ListFargateProfiles', () =>
          eks.send(
            new ListFargateProfilesCommand({
              clusterName: cluster,
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          ),
        );
        names.push(...(out.fargateProfileNames ?? []));
        nextToken = out.nextToken;
      } while (nextToken !== undefined && nextToken !== '');
      return names;
    },
    deleteFargateProfile: async (cluster, name) => {
      await call('DeleteFargateProfile', () =>
        eks.send(
          new DeleteFargateProfileCommand({ clusterName: cluster, fargateProfileName: name }),
        ),
      );
    },
    ensureRole: async (o) => {
      try {
        const got = await iam.send(new GetRoleCommand({ RoleName: o.name }));
        return got.Role?.Arn ?? '';
      } catch (e: unknown) {
        if (!(e instanceof Error) || e.name !== 'NoSuchEntityException') throw e;
      }
      const made = await call('CreateRole', () =>
        iam.send(
          new CreateRoleCommand({ RoleName: o.name, AssumeRolePolicyDocument: o.trustPolicy }),
        ),
      );
      await call('AttachRolePolicy', () =>
        iam.send(new AttachRolePolicyCommand({ RoleName: o.name, PolicyArn: o.policyArn })),
      );
      return made.Role?.Arn ?? '';
    },
  };
}

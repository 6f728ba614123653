import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListFargateProfilesCommand,
  type FargateProfile,
} from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsCall, ensureIamRole, listAllPages, sdkConfig, type AwsTarget } from './sdk-call.ts';

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
  ensureRole(o: {
    name: string;
    trustPolicy: string;
    policyArns: readonly string[];
  }): Promise<string>;
}

/** EksApi over the AWS SDK v3 clients, pointed at Kiln's endpoint. */
export function sdkEksApi(t: AwsTarget): EksApi {
  const config = sdkConfig(t);
  const eks = new EKSClient(config);
  const iam = new IAMClient(config);
  return {
    clusterArn: async (cluster) => {
      const out = await awsCall('DescribeCluster', () =>
        eks.send(new DescribeClusterCommand({ name: cluster })),
      );
      return out.cluster?.arn ?? '';
    },
    createFargateProfile: async (p) => {
      await awsCall('CreateFargateProfile', () =>
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
      const out = await awsCall('DescribeFargateProfile', () =>
        eks.send(
          new DescribeFargateProfileCommand({ clusterName: cluster, fargateProfileName: name }),
        ),
      );
      return out.fargateProfile ?? {};
    },
    listFargateProfiles: (cluster) =>
      listAllPages(async (nextToken) => {
        const out = await awsCall('ListFargateProfiles', () =>
          eks.send(
            new ListFargateProfilesCommand({
              clusterName: cluster,
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          ),
        );
        return { items: out.fargateProfileNames, nextToken: out.nextToken };
      }),
    deleteFargateProfile: async (cluster, name) => {
      await awsCall('DeleteFargateProfile', () =>
        eks.send(
          new DeleteFargateProfileCommand({ clusterName: cluster, fargateProfileName: name }),
        ),
      );
    },
    ensureRole: (o) => ensureIamRole(iam, o),
  };
}

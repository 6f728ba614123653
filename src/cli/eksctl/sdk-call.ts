import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AwsCallError } from './aws-call-error.ts';

/** Where the AWS endpoint is and who signs: resolved by the CLI's entry point. */
export interface AwsTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The SDK client configuration every eksctl command's clients share. */
export function sdkConfig(t: AwsTarget): {
  endpoint: string;
  region: string;
  credentials: AwsTarget['credentials'];
} {
  return { endpoint: t.endpoint, region: t.region, credentials: t.credentials };
}

export { AwsCallError };

/** Runs one SDK call, rewording its failure as eksctl reports it (AwsCallError). */
export async function awsCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (e instanceof Error) throw new AwsCallError(operation, e);
    throw e;
  }
}

/**
 * Every item of a paginated List* call: `page` fetches one page from a token (undefined for the
 * first) and names its items and next token; an absent or empty token ends the listing.
 */
export async function listAllPages<T>(
  page: (
    nextToken: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; nextToken: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  do {
    const out = await page(nextToken);
    all.push(...(out.items ?? []));
    nextToken = out.nextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return all;
}

/**
 * Creates the role with its managed policies unless it exists (as eksctl's stacks do); returns
 * its ARN. An existing role is returned as it is, whatever policies it has.
 */
export async function ensureIamRole(
  iam: IAMClient,
  o: { name: string; trustPolicy: string; policyArns: readonly string[] },
): Promise<string> {
  try {
    const got = await iam.send(new GetRoleCommand({ RoleName: o.name }));
    return got.Role?.Arn ?? '';
  } catch (e: unknown) {
    if (!(e instanceof Error) || e.name !== 'NoSuchEntityException') throw e;
  }
  const made = await awsCall('CreateRole', () =>
    iam.send(new CreateRoleCommand({ RoleName: o.name, AssumeRolePolicyDocument: o.trustPolicy })),
  );
  for (const arn of o.policyArns) {
    await awsCall('AttachRolePolicy', () =>
      iam.send(new AttachRolePolicyCommand({ RoleName: o.name, PolicyArn: arn })),
    );
  }
  return made.Role?.Arn ?? '';
}

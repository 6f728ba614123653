export { IamService, type IamReader, type IamServiceOptions } from './iam-service.ts';
export type { RoleRecord, PolicyRecord, IamTag } from './iam-state.ts';
export {
  parseTrustPolicy,
  parsePolicyJson,
  trustsPrincipal,
  type TrustPolicy,
  type TrustStatement,
  type TrustSubject,
} from './policy-document.ts';
export {
  AWS_MANAGED_POLICIES,
  awsManagedPolicyArn,
  findAwsManagedPolicy,
  type ManagedPolicy,
} from './managed-policies.ts';

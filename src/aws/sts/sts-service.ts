import { canonicalizeArn, type AwsPrincipal } from '../../apiserver/authn/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import { optionalInt, requireParam, unknownOperation, validationError } from '../endpoint/index.ts';
import { trustsPrincipal, type IamReader } from '../iam/index.ts';
import { constraintFailures, SESSION_NAME } from '../iam/validation.ts';
import { AwsError, type AwsCall, type AwsResult, type AwsService } from '../types.ts';
import type { StsCredentials } from './sts-credentials.ts';

export interface StsServiceOptions {
  /** Where issued temporary credentials go; the endpoint must verify with the same store. */
  readonly credentials: StsCredentials;
  /** Roles and their trust policies. */
  readonly iam: Pick<IamReader, 'getRoleByArn' | 'trustPolicy'>;
  readonly clock: Clock;
  readonly ids: IdSource;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

type Body = Record<string, unknown>;

function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, { httpStatus: 403 });
}

/**
 * STS (query protocol, API 2011-06-15): GetCallerIdentity, AssumeRole (the role must exist and
 * its trust policy must name the caller) and GetSessionToken. Issued credentials (`ASIA…` with
 * a session token) are stored and accepted by the endpoint until they expire.
 */
export class StsService implements AwsService {
  readonly signingName = 'sts';
  readonly protocol = 'query' as const;
  readonly #opts: StsServiceOptions;

  constructor(opts: StsServiceOptions) {
    this.#opts = opts;
  }

  async handle(call: AwsCall): Promise<AwsResult> {
    switch (call.action) {
      case 'GetCallerIdentity':
        return {
          body: {
            UserId: call.caller.userId,
            Account: call.caller.accountId,
            Arn: call.caller.arn,
          },
        };
      case 'AssumeRole':
        return { body: await this.#assumeRole(call) };
      case 'GetSessionToken':
        return { body: await this.#getSessionToken(call) };
      default:
        throw unknownOperation('query', call);
    }
  }

  #random(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.#opts.ids.int(alphabet.length)] ?? 'A';
    return s;
  }

  async #issue(principal: AwsPrincipal, seconds: number): Promise<Body> {
    const expiresAt = Math.floor(this.#opts.clock.now() / 1000) * 1000 + seconds * 1000;
    const credential = {
      accessKeyId: `ASIA${this.#random(KEY_ALPHABET, 16)}`,
      secretAccessKey: this.#random(SECRET_ALPHABET, 40),
      sessionToken: `FwoGZXIvYXdzE${this.#random(SECRET_ALPHABET, 300)}`,
      principal,
      expiresAt,
    };
    await this.#opts.credentials.issue(credential);
    return {
      AccessKeyId: credential.accessKeyId,
      SecretAccessKey: credential.secretAccessKey,
      SessionToken: credential.sessionToken,
      Expiration: new Date(expiresAt),
    };
  }

  async #assumeRole(call: AwsCall): Promise<Body> {
    const roleArn = requireParam(call.params, 'RoleArn');
    const session = requireParam(call.params, 'RoleSessionName');
    const failures = constraintFailures('RoleSessionName', session, SESSION_NAME);
    if (failures.length > 0) throw validationError(failures);
    const duration = optionalInt(call.params, 'DurationSeconds', { min: 900, max: 43200 }) ?? 3600;
    const denied = accessDenied(
      `User: ${call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    const role = this.#opts.iam.getRoleByArn(roleArn);
    if (!role) throw denied;
    const policy = this.#opts.iam.trustPolicy(role.RoleName);
    const arns = [call.caller.arn, safeCanonical(call.caller.arn)];
    if (
      !policy ||
      !trustsPrincipal(policy, { kind: 'aws', accountId: call.caller.accountId, arns })
    ) {
      throw denied;
    }
    if (duration > role.MaxSessionDuration) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const account = /^arn:aws:iam::(\d{12}):/.exec(role.Arn)?.[1] ?? call.caller.accountId;
    const assumedArn = `arn:aws:sts::${account}:assumed-role/${role.RoleName}/${session}`;
    const assumedId = `${role.RoleId}:${session}`;
    const credentials = await this.#issue(
      { arn: assumedArn, userId: assumedId, accountId: account },
      duration,
    );
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: assumedId, Arn: assumedArn },
    };
  }

  async #getSessionToken(call: AwsCall): Promise<Body> {
    if (call.caller.accessKeyId.startsWith('ASIA')) {
      throw accessDenied('Cannot call GetSessionToken with session credentials');
    }
    const isRoot = call.caller.arn.endsWith(':root');
    const requested = optionalInt(call.params, 'DurationSeconds', { min: 900, max: 129600 });
    // The account root's sessions are capped at one hour.
    const duration = Math.min(requested ?? 43200, isRoot ? 3600 : 129600);
    const credentials = await this.#issue(
      { arn: call.caller.arn, userId: call.caller.userId, accountId: call.caller.accountId },
      duration,
    );
    return { Credentials: credentials };
  }
}

function safeCanonical(arn: string): string {
  try {
    return canonicalizeArn(arn);
  } catch {
    return arn;
  }
}

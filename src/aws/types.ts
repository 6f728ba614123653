import { KilnError } from '../util/index.ts';

/**
 * The contract between Kiln's AWS-compatible endpoint (src/aws/endpoint) and the services
 * behind it (src/aws/eks, iam, ec2, sts). The endpoint authenticates the SigV4 signature,
 * works out the service from the credential scope, parses the protocol's body into an
 * `AwsCall`, and turns what the service returns or throws into the protocol's wire shape.
 * Services never see HTTP.
 */

/** The wire protocols the AWS CLI and SDKs speak to these services. */
export type AwsProtocol = 'rest-json' | 'query' | 'ec2';

/** Who signed the request, from the SigV4 access key. */
export interface AwsCaller {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The IAM principal's ARN, e.g. `arn:aws:iam::000000000000:root` or an assumed-role ARN. */
  readonly arn: string;
  /** As GetCallerIdentity's `UserId`. */
  readonly userId: string;
}

/** One parsed API call. */
export interface AwsCall {
  /** The region from the signature's credential scope (IAM is signed with the client's region). */
  readonly region: string;
  readonly caller: AwsCaller;
  readonly requestId: string;
  /**
   * For `query`/`ec2`: the `Action` form field, e.g. `CreateRole`. For `rest-json`: empty —
   * the service routes on `method` and `path` itself.
   */
  readonly action: string;
  readonly method: string;
  /** The URL path, decoded per segment by the service as it needs. */
  readonly path: string;
  readonly query: URLSearchParams;
  /**
   * `query`/`ec2`: the form fields (flattened names as sent, `IpPermissions.1.IpProtocol`).
   * `rest-json`: empty.
   */
  readonly params: ReadonlyMap<string, string>;
  /** `rest-json`: the parsed JSON body (`{}` when empty). Other protocols: `{}`. */
  readonly json: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/**
 * What a service returns. `rest-json`: `body` is serialised as JSON with `status` (default
 * 200). `query`: `body` is the content of `<{Action}Result>` (serialised as XML inside
 * `<{Action}Response>` with ResponseMetadata). `ec2`: `body` is the content of
 * `<{Action}Response>` (no Result wrapper), with `requestId` added.
 */
export interface AwsResult {
  readonly status?: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** One AWS service behind the endpoint. */
export interface AwsService {
  /** The SigV4 signing name: `eks`, `iam`, `ec2`, `sts`. */
  readonly signingName: string;
  readonly protocol: AwsProtocol;
  /** Handles one call; throws AwsError for anything the client should see as an AWS error. */
  handle(call: AwsCall): Promise<AwsResult>;
}

/**
 * An error the client sees in its protocol's envelope: EKS `x-amzn-ErrorType` + `{message}`,
 * IAM `<ErrorResponse><Error><Type/><Code/><Message/>`, EC2 `<Response><Errors><Error>`.
 */
export class AwsError extends KilnError {
  /** The AWS error code: `ResourceNotFoundException`, `NoSuchEntity`, `InvalidVpcID.NotFound`. */
  readonly code: string;
  readonly httpStatus: number;
  /** IAM/STS: `Sender` (the client's fault) or `Receiver`. */
  readonly type: 'Sender' | 'Receiver';
  /** Extra members of an EKS error body (`clusterName`, `fargateProfileName`, …). */
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    opts: {
      readonly httpStatus?: number;
      readonly type?: 'Sender' | 'Receiver';
      readonly fields?: Readonly<Record<string, unknown>>;
    } = {},
  ) {
    super(message);
    this.code = code;
    this.httpStatus = opts.httpStatus ?? 400;
    this.type = opts.type ?? (this.httpStatus >= 500 ? 'Receiver' : 'Sender');
    this.fields = opts.fields ?? {};
  }
}

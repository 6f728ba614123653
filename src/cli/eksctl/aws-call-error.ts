import type { EKSServiceException } from '@aws-sdk/client-eks';

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

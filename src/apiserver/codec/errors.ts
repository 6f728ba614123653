import { KilnError } from '../../util/index.ts';

/**
 * Why a body could not be decoded. kube-apiserver answers every one of these with
 * 400 BadRequest (a body it cannot decode), never 415: the media type itself was acceptable.
 */
export const CodecErrorCode = {
  /** Empty, or not starting with the `k8s\0` magic of `application/vnd.kubernetes.protobuf`. */
  NotProtobuf: 'KILN_CODEC_NOT_PROTOBUF',
  /** Broken wire format: truncated data, overlong varint, bad length, wrong or illegal wire type. */
  Malformed: 'KILN_CODEC_MALFORMED',
  /** Well-formed wire data the Go types reject (bad quantity, impossible IntOrString, non-JSON raw). */
  InvalidValue: 'KILN_CODEC_INVALID_VALUE',
  /** The envelope names no kind or no version. */
  MissingKind: 'KILN_CODEC_MISSING_KIND',
  /** The envelope names a kind that is not registered for its apiVersion. */
  UnknownKind: 'KILN_CODEC_UNKNOWN_KIND',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

/** A request body in a wire format Kiln decodes itself could not be decoded. */
export class CodecError extends KilnError {
  readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

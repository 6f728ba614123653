export { decodeKubernetesProtobuf, type DecodedObject, type DecodeOptions } from './protobuf.ts';
export { CodecError, CodecErrorCode } from './errors.ts';

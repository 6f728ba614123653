import type { JsonObject } from '../../api/index.ts';
import type { TerminalSize } from '../../runtime/index.ts';

/**
 * The channel protocols of remote commands over WebSocket (k8s.io/apimachinery
 * util/remotecommand and wsstream): each binary message is one channel byte and its data.
 * v4 carries a metav1.Status on the error channel; v5 adds the CLOSE signal (255, channel) that
 * half-closes a stream; `channel.k8s.io` (v1) carries a plain error text.
 */
export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
export const PROTOCOL_V1 = 'channel.k8s.io';
export const REMOTE_COMMAND_PROTOCOLS: readonly string[] = [PROTOCOL_V5, PROTOCOL_V4, PROTOCOL_V1];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE_SIGNAL = 255;

/** One message of a channel protocol, decoded. */
export type ChannelMessage =
  | { readonly kind: 'data'; readonly channel: number; readonly data: Buffer }
  | { readonly kind: 'close'; readonly channel: number };

export function encodeFrame(channel: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Decodes a message; undefined for an empty one (which carries nothing). */
export function decodeFrame(message: Buffer, protocol: string): ChannelMessage | undefined {
  const channel = message[0];
  if (channel === undefined) return undefined;
  if (channel === CLOSE_SIGNAL && protocol === PROTOCOL_V5) {
    const closed = message[1];
    return closed === undefined ? undefined : { kind: 'close', channel: closed };
  }
  return { kind: 'data', channel, data: message.subarray(1) };
}

/**
 * Splits resize-channel data into sizes. The client writes one JSON object per resize
 * (`{"Width":80,"Height":24}`), which may arrive split or joined across messages, so this keeps
 * the unfinished tail for the next call.
 */
export class ResizeDecoder {
  #pending = '';

  push(data: Buffer): TerminalSize[] {
    this.#pending += data.toString('utf8');
    const out: TerminalSize[] = [];
    for (let end = this.#pending.indexOf('}'); end >= 0; end = this.#pending.indexOf('}')) {
      const text = this.#pending.slice(0, end + 1);
      this.#pending = this.#pending.slice(end + 1);
      const size = parseSize(text);
      if (size) out.push(size);
    }
    return out;
  }
}

function parseSize(text: string): TerminalSize | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const width: unknown = Reflect.get(value, 'Width');
  const height: unknown = Reflect.get(value, 'Height');
  return typeof width === 'number' && typeof height === 'number' ? { width, height } : undefined;
}

/** How a remote command ended, as the kubelet reports it on the error channel. */
export type CommandOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'exit'; readonly code: number; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** The metav1.Status the kubelet writes (json.Marshal of StatusError.Status()). */
export function outcomeStatus(outcome: CommandOutcome): JsonObject {
  switch (outcome.kind) {
    case 'success':
      return { metadata: {}, status: 'Success' };
    case 'exit':
      return {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: ${outcome.message}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(outcome.code) }] },
      };
    case 'error':
      return {
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: ${outcome.message}`,
        reason: 'InternalError',
        details: { causes: [{ message: outcome.message }] },
        code: 500,
      };
  }
}

/** The error-channel payload for the protocol; undefined when nothing is written (v1 success). */
export function outcomePayload(outcome: CommandOutcome, protocol: string): Buffer | undefined {
  const status = outcomeStatus(outcome);
  if (protocol === PROTOCOL_V5 || protocol === PROTOCOL_V4) {
    return Buffer.from(JSON.stringify(status));
  }
  if (outcome.kind === 'success') return undefined;
  return Buffer.from(typeof status['message'] === 'string' ? status['message'] : '');
}

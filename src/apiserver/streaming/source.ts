import { isJsonObject, type KubeObject } from '../../api/index.ts';
import type { ByteDuplex, ProcessIO } from '../../runtime/index.ts';
import { KilnError } from '../../util/index.ts';
import { errors } from '../errors.ts';
import type { CommandOutcome } from './channel.ts';
import type { AttachOptions, ExecOptions } from './options.ts';

/** Runs an exec or attach session once the client's connection is up. */
export type ProcessRun = (io: ProcessIO) => Promise<CommandOutcome>;

/**
 * Connects one forwarded connection to a port of the pod. Rejects with an Error whose message
 * the client sees on the port's error stream (the kubelet's "error forwarding port …").
 */
export type PortDialer = (port: number, conn: ByteDuplex) => Promise<void>;

/**
 * The node agent's side of exec, attach and port-forward (the kubelet's streaming server):
 * like PodLogSource, the API server finds the source serving the pod's node. The `open*`
 * methods check, before the connection is upgraded, that the container can be reached, and
 * throw `StreamRefused` (the kubelet's plain-text answer) or an ApiError otherwise.
 */
export interface PodStreamSource {
  servesNode(nodeName: string): boolean;
  openExec(pod: KubeObject, opts: ExecOptions): Promise<ProcessRun>;
  openAttach(pod: KubeObject, opts: AttachOptions): Promise<ProcessRun>;
  openPortForward(pod: KubeObject): Promise<PortDialer>;
}

/**
 * The kubelet refused a streaming request before upgrading (e.g. `container not found ("x")`):
 * kube-apiserver relays its status and plain-text body, which kubectl prints after
 * "unable to upgrade connection: ".
 */
export class StreamRefused extends KilnError {
  readonly code = 'KILN_STREAM_REFUSED';
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string) {
    super(message);
    this.httpStatus = httpStatus;
  }
}

export function nodeNameOf(pod: KubeObject): string {
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  return typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
}

/** Stream sources registered after the API server exists; the one serving the pod's node answers. */
export class StreamSources implements PodStreamSource {
  readonly #sources: PodStreamSource[] = [];

  add(source: PodStreamSource): void {
    this.#sources.push(source);
  }

  servesNode(nodeName: string): boolean {
    return this.#sources.some((s) => s.servesNode(nodeName));
  }

  #for(pod: KubeObject): PodStreamSource {
    const node = nodeNameOf(pod);
    const source = this.#sources.find((s) => s.servesNode(node));
    if (!source) throw errors.internal(`no node agent serves node "${node}"`);
    return source;
  }

  openExec(pod: KubeObject, opts: ExecOptions): Promise<ProcessRun> {
    return this.#for(pod).openExec(pod, opts);
  }

  openAttach(pod: KubeObject, opts: AttachOptions): Promise<ProcessRun> {
    return this.#for(pod).openAttach(pod, opts);
  }

  openPortForward(pod: KubeObject): Promise<PortDialer> {
    return this.#for(pod).openPortForward(pod);
  }
}

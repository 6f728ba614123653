import type { KubeObject } from '../api/index.ts';
import {
  StreamRefused,
  type AttachOptions,
  type CommandOutcome,
  type ExecOptions,
  type PodStreamSource,
  type PortDialer,
  type ProcessRun,
} from '../apiserver/index.ts';
import {
  hasPortForward,
  hasStreaming,
  type ContainerRuntime,
  type PortForwardCapability,
  type StreamingCapability,
} from '../runtime/index.ts';
import { toError } from '../util/index.ts';
import type { PodRecord } from './pod-record.ts';

export interface PodStreamsOptions {
  readonly runtime: ContainerRuntime;
  readonly servesNode: (nodeName: string) => boolean;
  /** The agent's record of the pod, if it runs this very pod (same uid). */
  readonly record: (pod: KubeObject) => PodRecord | undefined;
}

/**
 * The kubelet's streaming server for the agent's pods: finds the running container (or the
 * sandbox) and runs exec, attach and port-forward through the runtime, reporting outcomes and
 * failures with the kubelet's and containerd's messages.
 */
export class PodStreams implements PodStreamSource {
  readonly #o: PodStreamsOptions;

  constructor(opts: PodStreamsOptions) {
    this.#o = opts;
  }

  servesNode(nodeName: string): boolean {
    return this.#o.servesNode(nodeName);
  }

  #record(pod: KubeObject): PodRecord {
    const rec = this.#o.record(pod);
    // The kubelet's answer for a pod it does not run.
    if (!rec) throw new StreamRefused(404, 'pod does not exist');
    return rec;
  }

  /** The id of the named container if it is running: the kubelet only streams to those. */
  #runningContainer(pod: KubeObject, name: string): string {
    const c = this.#record(pod).containers.find((x) => x.spec.name === name);
    if (c?.id === undefined || c.current?.state !== 'running') {
      throw new StreamRefused(500, `container not found (${JSON.stringify(name)})`);
    }
    return c.id;
  }

  #streaming(): StreamingCapability {
    const rt = this.#o.runtime;
    if (!hasStreaming(rt)) {
      throw new StreamRefused(500, `the ${rt.name} runtime does not stream exec or attach`);
    }
    return rt;
  }

  #forwarding(): PortForwardCapability {
    const rt = this.#o.runtime;
    if (!hasPortForward(rt)) {
      throw new StreamRefused(500, `the ${rt.name} runtime does not forward ports`);
    }
    return rt;
  }

  openExec(pod: KubeObject, opts: ExecOptions): Promise<ProcessRun> {
    const id = this.#runningContainer(pod, opts.container);
    const rt = this.#streaming();
    const argv = `[${opts.command.join(' ')}]`;
    return Promise.resolve(async (io): Promise<CommandOutcome> => {
      try {
        const code = await rt.execStream(id, opts.command, io);
        if (code === 0) return { kind: 'success' };
        // containerd's CodeExitError text, which the kubelet puts after its own prefix.
        return {
          kind: 'exit',
          code,
          message: `error executing command ${argv}, exit code ${String(code)}`,
        };
      } catch (e: unknown) {
        return {
          kind: 'error',
          message: `error executing command in container: ${toError(e).message}`,
        };
      }
    });
  }

  openAttach(pod: KubeObject, opts: AttachOptions): Promise<ProcessRun> {
    const id = this.#runningContainer(pod, opts.container);
    const rt = this.#streaming();
    return Promise.resolve(async (io): Promise<CommandOutcome> => {
      try {
        await rt.attach(id, io);
        return { kind: 'success' };
      } catch (e: unknown) {
        return { kind: 'error', message: `error attaching to container: ${toError(e).message}` };
      }
    });
  }

  openPortForward(pod: KubeObject): Promise<PortDialer> {
    const rec = this.#record(pod);
    const rt = this.#forwarding();
    const sandbox = rec.sandbox;
    if (sandbox === undefined) {
      throw new StreamRefused(
        500,
        `failed to find sandbox for pod ${JSON.stringify(pod.metadata.name ?? '')}`,
      );
    }
    return Promise.resolve(async (port, conn) => {
      try {
        await rt.portForward(sandbox.id, port, conn);
      } catch (e: unknown) {
        // The CRI streaming server names the pod by its sandbox and has no uid to give.
        throw new Error(
          `error forwarding port ${String(port)} to pod ${sandbox.id}, uid : ${toError(e).message}`,
          { cause: e },
        );
      }
    });
  }
}

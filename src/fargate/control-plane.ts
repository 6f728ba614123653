import type { KubeClient, Sleep } from '../client/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import type { FargateLauncher } from './launcher.ts';
import type { FargateIpSource, FargateProfileSource } from './profile-source.ts';
import { FargateScheduler } from './scheduler.ts';
import type { FargateLaunchMetrics, FargateThrottleOptions } from './throttle.ts';
import type { FargatePlatform } from './types.ts';
import {
  FargateWebhookServer,
  installWebhookConfiguration,
  webhookConfiguration,
} from './webhook.ts';

export interface FargateControlPlaneOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Kept for the components that will draw ids (event names are clock-based today). */
  readonly ids: IdSource;
  readonly region: string;
  readonly profiles: FargateProfileSource;
  readonly ips: FargateIpSource;
  readonly launcher: FargateLauncher;
  /** The webhook's serving certificate (valid for 127.0.0.1) and the CA that signed it. */
  readonly tls: { readonly cert: string; readonly key: string; readonly caPem: string };
  readonly throttle?: FargateThrottleOptions;
  readonly platform?: FargatePlatform;
  readonly kubeletVersion?: string;
  readonly metrics?: FargateLaunchMetrics;
}

/**
 * One cluster's Fargate control plane as EKS runs it beside kube-apiserver: the mutation
 * webhook (an HTTPS server registered through a MutatingWebhookConfiguration) and the
 * fargate-scheduler. Construction does no I/O; `run` serves until the signal aborts.
 */
export class FargateControlPlane {
  readonly #o: FargateControlPlaneOptions;
  readonly #webhook: FargateWebhookServer;
  readonly #scheduler: FargateScheduler;

  constructor(opts: FargateControlPlaneOptions) {
    this.#o = opts;
    this.#webhook = new FargateWebhookServer({
      profiles: opts.profiles,
      cert: opts.tls.cert,
      key: opts.tls.key,
    });
    this.#scheduler = new FargateScheduler({
      client: opts.client,
      clock: opts.clock,
      sleep: opts.sleep,
      region: opts.region,
      profiles: opts.profiles,
      ips: opts.ips,
      launcher: opts.launcher,
      ...(opts.throttle === undefined ? {} : { throttle: opts.throttle }),
      ...(opts.platform === undefined ? {} : { platform: opts.platform }),
      ...(opts.kubeletVersion === undefined ? {} : { kubeletVersion: opts.kubeletVersion }),
      ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    });
  }

  /** Starts the webhook, (re)registers it, and runs the scheduler until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#webhook.start();
    try {
      await this.#install(signal);
      await this.#scheduler.run(signal);
    } finally {
      await this.#webhook.close();
    }
  }

  /** Registration retries until it succeeds: the API server may still be starting. */
  async #install(signal: AbortSignal): Promise<void> {
    const configuration = webhookConfiguration({
      url: this.#webhook.url,
      caBundle: Buffer.from(this.#o.tls.caPem).toString('base64'),
    });
    for (let backoff = 100; !signal.aborted; backoff = Math.min(backoff * 2, 10_000)) {
      try {
        await installWebhookConfiguration(this.#o.client, configuration);
        return;
      } catch {
        await this.#o.sleep(backoff, signal);
      }
    }
  }
}

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../api/index.ts';
import { isAlreadyExists, type KubeClient } from '../client/index.ts';
import type { FargateProfileSource } from './profile-source.ts';
import { reviewPodAdmission } from './webhook-review.ts';

/** The name EKS registers its Fargate mutation webhook (configuration and webhook) under. */
export const FARGATE_WEBHOOK_NAME = '0500-amazon-eks-fargate-mutation.amazonaws.com';
/** The path the webhook serves. */
export const FARGATE_WEBHOOK_PATH = '/mutate';
/** AdmissionReviews are small; anything bigger than the API server's request limit is junk. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface FargateWebhookServerOptions {
  readonly profiles: FargateProfileSource;
  /** PEM serving certificate (for 127.0.0.1) and its key. */
  readonly cert: string;
  readonly key: string;
  /** Loopback by default; port 0 picks a free one. */
  readonly host?: string;
  readonly port?: number;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body);
}

/**
 * The Fargate mutation webhook as an HTTPS server, so the API server calls it as it calls any
 * webhook (and so it would serve a real cluster too). `start` listens; `close` stops.
 */
export class FargateWebhookServer {
  readonly #opts: FargateWebhookServerOptions;
  readonly #server: Server;
  #port = 0;

  constructor(opts: FargateWebhookServerOptions) {
    this.#opts = opts;
    this.#server = createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal error' }));
        else res.destroy();
      });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== FARGATE_WEBHOOK_PATH) {
      send(res, 404, JSON.stringify({ error: `no handler for ${req.method ?? ''} ${path ?? ''}` }));
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      send(res, 413, JSON.stringify({ error: 'request body too large' }));
      return;
    }
    const answer = reviewPodAdmission(body, this.#opts.profiles.list());
    send(res, answer.status, answer.body);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port ?? 0, this.#opts.host ?? '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    // SAFETY: a TCP listener's address is an AddressInfo.
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** The URL the configuration points the API server at; valid after `start`. */
  get url(): string {
    return `https://${this.#opts.host ?? '127.0.0.1'}:${String(this.#port)}${FARGATE_WEBHOOK_PATH}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}

/**
 * The MutatingWebhookConfiguration as EKS registers it: pods CREATE only, no side effects,
 * reinvoked when later webhooks change the pod. failurePolicy is Ignore: a webhook outage must
 * not block every pod in the cluster, and a pod it missed runs where the default scheduler puts
 * it (EKS's documented behaviour for pods the webhook did not mutate).
 */
export function webhookConfiguration(a: { url: string; caBundle: string }): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: FARGATE_WEBHOOK_NAME },
    webhooks: [
      {
        name: FARGATE_WEBHOOK_NAME,
        admissionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { url: a.url, caBundle: a.caBundle },
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: '*',
          },
        ],
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        sideEffects: 'None',
        timeoutSeconds: 10,
        reinvocationPolicy: 'IfNeeded',
      },
    ],
  };
}

const CONFIGURATIONS = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** Creates the configuration, or replaces the webhooks of an existing one (a new port or CA). */
export async function installWebhookConfiguration(
  client: KubeClient,
  configuration: KubeObject,
): Promise<void> {
  try {
    await client.create(CONFIGURATIONS, configuration);
  } catch (e: unknown) {
    if (!isAlreadyExists(e)) throw e;
    await client.patch(`${CONFIGURATIONS}/${FARGATE_WEBHOOK_NAME}`, {
      webhooks: configuration['webhooks'],
    });
  }
}

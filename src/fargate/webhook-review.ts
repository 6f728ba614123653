import { isJsonObject, type JsonObject } from '../api/index.ts';
import { matchProfile } from './matching.ts';
import { mutationFor } from './matching-mutation.ts';
import type { FargatePod, MatchableFargateProfile } from './types.ts';

/** An HTTP answer for one AdmissionReview POST. */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: string;
}

const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

function badRequest(message: string): WebhookAnswer {
  return { status: 400, body: JSON.stringify({ error: message }) };
}

function reviewAnswer(apiVersion: string, response: JsonObject): WebhookAnswer {
  return {
    status: 200,
    body: JSON.stringify({ apiVersion, kind: 'AdmissionReview', response }),
  };
}

function isPodCreate(request: JsonObject): boolean {
  const resource = isJsonObject(request['resource']) ? request['resource'] : {};
  return (
    request['operation'] === 'CREATE' &&
    (resource['group'] ?? '') === '' &&
    resource['resource'] === 'pods' &&
    (request['subResource'] ?? '') === ''
  );
}

interface ParsedReview {
  readonly apiVersion: string;
  readonly uid: string;
  readonly request: JsonObject;
}

function parseReview(body: string): ParsedReview | string {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch {
    return 'request body is not JSON';
  }
  if (!isJsonObject(review) || review['kind'] !== 'AdmissionReview') {
    return 'request body is not an AdmissionReview';
  }
  const apiVersion = review['apiVersion'];
  if (typeof apiVersion !== 'string' || !REVIEW_VERSIONS.includes(apiVersion)) {
    return `unsupported AdmissionReview apiVersion ${JSON.stringify(apiVersion)} (want admission.k8s.io/v1 or v1beta1)`;
  }
  const request = review['request'];
  if (!isJsonObject(request) || typeof request['uid'] !== 'string' || request['uid'] === '') {
    return 'AdmissionReview has no request.uid';
  }
  return { apiVersion, uid: request['uid'], request };
}

/**
 * Answers one AdmissionReview as EKS's Fargate mutation webhook: a pod CREATE matched to an
 * ACTIVE profile gets the Fargate JSONPatch, anything else is allowed unchanged. A body that is
 * no AdmissionReview gets a 400 (the API server then applies the failure policy); a pod that
 * cannot be read is refused with a message, never a crash.
 */
export function reviewPodAdmission(
  body: string,
  profiles: readonly MatchableFargateProfile[],
): WebhookAnswer {
  const parsed = parseReview(body);
  if (typeof parsed === 'string') return badRequest(parsed);
  const { apiVersion, uid, request } = parsed;
  if (!isPodCreate(request)) return reviewAnswer(apiVersion, { uid, allowed: true });
  const object = request['object'];
  if (!isJsonObject(object)) {
    return reviewAnswer(apiVersion, {
      uid,
      allowed: false,
      status: { code: 400, message: 'AdmissionReview request.object is not a Pod' },
    });
  }
  // SAFETY: a JSON object under request.object of a pods CREATE is the API server's Pod.
  const pod = object as unknown as FargatePod;
  const namespace = typeof request['namespace'] === 'string' ? request['namespace'] : 'default';
  const match = matchProfile(pod, profiles, { namespace });
  if (!('profile' in match)) return reviewAnswer(apiVersion, { uid, allowed: true });
  const patch = Buffer.from(JSON.stringify(mutationFor(pod, match.profile))).toString('base64');
  return reviewAnswer(apiVersion, { uid, allowed: true, patchType: 'JSONPatch', patch });
}

import type { JsonObject } from '../../api/index.ts';

type ParamType = 'string' | 'boolean' | 'integer';

interface ParamSpec {
  in: 'query' | 'path';
  type: ParamType;
  description: string;
}

/**
 * Every parameter the served operations take. kubectl reads `fieldValidation` and `dryRun` off the
 * PATCH operation to decide that the server validates fields itself; the rest document the API.
 */
const PARAMS = {
  name: { in: 'path', type: 'string', description: 'name of the object' },
  namespace: { in: 'path', type: 'string', description: 'the namespace the object lives in' },
  pretty: {
    in: 'query',
    type: 'string',
    description: "If 'true', the response is indented for reading.",
  },
  dryRun: {
    in: 'query',
    type: 'string',
    description:
      'When present, the request is processed in full but nothing is persisted. The only valid ' +
      'value is "All".',
  },
  fieldManager: {
    in: 'query',
    type: 'string',
    description:
      'The name of the actor making the change, recorded in managedFields. At most 128 ' +
      'printable characters. Required for apply patches.',
  },
  fieldValidation: {
    in: 'query',
    type: 'string',
    description:
      'What the server does with unknown or duplicate fields in the request body: "Ignore" drops ' +
      'them silently, "Warn" drops them and returns a warning for each, "Strict" rejects the ' +
      'request with a BadRequest error listing them.',
  },
  force: {
    in: 'query',
    type: 'boolean',
    description:
      'For apply patches only: take ownership of fields another manager owns instead of ' +
      'failing with a conflict.',
  },
  gracePeriodSeconds: {
    in: 'query',
    type: 'integer',
    description:
      'Seconds to wait before the object is deleted; zero deletes it at once. When unset, the ' +
      "type's default grace period applies.",
  },
  ignoreStoreReadErrorWithClusterBreakingPotential: {
    in: 'query',
    type: 'boolean',
    description:
      'Delete an object that cannot be read from storage, skipping finalizers and preconditions.',
  },
  orphanDependents: {
    in: 'query',
    type: 'boolean',
    description: 'Deprecated: use propagationPolicy. Whether dependents are orphaned.',
  },
  propagationPolicy: {
    in: 'query',
    type: 'string',
    description:
      'How dependents are garbage collected: "Orphan", "Background" or "Foreground". The ' +
      "default comes from the object's finalizers and the resource.",
  },
  allowWatchBookmarks: {
    in: 'query',
    type: 'boolean',
    description: 'Ask for BOOKMARK events on a watch. The server may send them at any interval.',
  },
  continue: {
    in: 'query',
    type: 'string',
    description:
      'The continue token of a previous paged list, to fetch the next page. Expired tokens ' +
      'fail with 410 Gone.',
  },
  fieldSelector: {
    in: 'query',
    type: 'string',
    description: 'Restrict the returned objects by their fields. Defaults to everything.',
  },
  labelSelector: {
    in: 'query',
    type: 'string',
    description: 'Restrict the returned objects by their labels. Defaults to everything.',
  },
  limit: {
    in: 'query',
    type: 'integer',
    description:
      'The largest number of items to return; when more remain, the list metadata carries a ' +
      'continue token.',
  },
  resourceVersion: {
    in: 'query',
    type: 'string',
    description: 'Which resource versions the request may be served from.',
  },
  resourceVersionMatch: {
    in: 'query',
    type: 'string',
    description: 'How resourceVersion applies to a list: "Exact" or "NotOlderThan".',
  },
  sendInitialEvents: {
    in: 'query',
    type: 'boolean',
    description:
      'With watch=true, start the stream with synthetic ADDED events for the current objects, ' +
      'followed by a bookmark.',
  },
  timeoutSeconds: {
    in: 'query',
    type: 'integer',
    description: 'How long a list or watch call may last, whatever the activity.',
  },
  watch: {
    in: 'query',
    type: 'boolean',
    description: 'Stream added, modified and deleted events instead of returning a list.',
  },
  container: {
    in: 'query',
    type: 'string',
    description: 'The container to act on. Defaults to the only container, if there is one.',
  },
  follow: { in: 'query', type: 'boolean', description: 'Keep streaming the log as it grows.' },
  tailLines: {
    in: 'query',
    type: 'integer',
    description: 'The number of lines from the end of the log to show.',
  },
  timestamps: {
    in: 'query',
    type: 'boolean',
    description: 'Prefix every log line with an RFC3339 timestamp.',
  },
} as const satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAMS;

export const WRITE_PARAMS: readonly ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation'];
export const PATCH_PARAMS: readonly ParamName[] = [...WRITE_PARAMS, 'force'];
export const DELETE_PARAMS: readonly ParamName[] = [
  'dryRun',
  'gracePeriodSeconds',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
  'orphanDependents',
  'propagationPolicy',
];
export const LIST_PARAMS: readonly ParamName[] = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];
export const LOG_PARAMS: readonly ParamName[] = ['container', 'follow', 'tailLines', 'timestamps'];

/** OpenAPI parameter objects, in the order given. */
export function parameters(names: readonly ParamName[]): JsonObject[] {
  return names.map((name) => {
    const spec: ParamSpec = PARAMS[name];
    const param: JsonObject = {
      description: spec.description,
      in: spec.in,
      name,
      schema: { type: spec.type, uniqueItems: true },
    };
    if (spec.in === 'path') param['required'] = true;
    return param;
  });
}

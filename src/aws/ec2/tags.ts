import { AwsError } from '../types.ts';
import { mergeTags, type Ec2Handler, type Scope } from './context.ts';
import { notFound } from './errors.ts';
import { RESOURCE_TYPES, TAGGABLE_KINDS, type Records, type TaggableKind } from './model.ts';
import { memberList, structList, tagList, type Tag } from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';

/** The kind of a resource id by its prefix (`subnet-0a1b…` → `subnet`). */
export function kindOfId(id: string): TaggableKind | undefined {
  const prefix = id.slice(0, id.lastIndexOf('-'));
  return TAGGABLE_KINDS.find((k) => k === prefix);
}

function checkTaggable(scope: Scope, id: string): TaggableKind {
  const kind = kindOfId(id);
  if (kind === undefined) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  if (!scope.env.state.get(scope.region, kind, id)) throw notFound(kind, id);
  return kind;
}

/** Applies `change` to each resource's tags once every resource is known to exist. */
async function retag(
  scope: Scope,
  resources: readonly string[],
  change: (tags: readonly Tag[]) => Tag[],
): Promise<void> {
  if (resources.length === 0) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  }
  const kinds = resources.map((id) => checkTaggable(scope, id));
  for (const [i, id] of resources.entries()) {
    const kind = kinds[i];
    if (kind === undefined) continue;
    await scope.env.state.update(scope.region, { kind, id }, (r) => ({
      ...r,
      tags: change(r.tags),
    }));
  }
}

/** Adds or overwrites tags on any taggable resource; the Kiln-facing form of CreateTags. */
export async function tagResources(
  scope: Scope,
  input: { readonly resources: readonly string[]; readonly tags: readonly Tag[] },
): Promise<void> {
  for (const t of input.tags) {
    if (t.key.toLowerCase().startsWith('aws:')) {
      throw new AwsError(
        'InvalidParameterValue',
        `Tag keys starting with 'aws:' are reserved for internal use`,
      );
    }
  }
  await retag(scope, input.resources, (tags) => mergeTags(tags, input.tags));
}

const deleteTags: Ec2Handler = async (scope, params) => {
  const doomed = structList(params, 'Tag').map((t) => ({
    key: t.get('Key') ?? '',
    value: t.get('Value'),
  }));
  await retag(scope, memberList(params, 'ResourceId'), (tags) =>
    doomed.length === 0
      ? []
      : tags.filter(
          (t) =>
            !doomed.some((d) => d.key === t.key && (d.value === undefined || d.value === t.value)),
        ),
  );
  return { return: true };
};

interface TagRow {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
}

const describeTags: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, ['resource-id', 'resource-type', 'key', 'value']);
  const rows: TagRow[] = TAGGABLE_KINDS.flatMap((kind) => rowsOf(scope, kind))
    .filter((row) =>
      matchesFilters(
        filters,
        (name) =>
          ({
            'resource-id': [row.resourceId],
            'resource-type': [row.resourceType],
            key: [row.key],
            value: [row.value],
          })[name],
        [],
      ),
    )
    .sort((a, b) => rowId(a).localeCompare(rowId(b)));
  const page = paginate(rows, rowId, { params });
  return Promise.resolve({ tagSet: page.items, nextToken: page.nextToken });
};

function rowId(r: TagRow): string {
  return `${r.resourceId}\u0000${r.key}`;
}

/** Each kind's own id field (a NAT gateway record also carries subnet and VPC ids). */
const ID_OF: { readonly [K in TaggableKind]: (r: Records[K]) => string } = {
  vpc: (r) => r.vpcId,
  subnet: (r) => r.subnetId,
  rtb: (r) => r.routeTableId,
  igw: (r) => r.internetGatewayId,
  nat: (r) => r.natGatewayId,
  eipalloc: (r) => r.allocationId,
  sg: (r) => r.groupId,
};

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K correlates `kind` with ID_OF[kind]'s record type.
function rowsOf<K extends TaggableKind>(scope: Scope, kind: K): TagRow[] {
  const idOf = ID_OF[kind];
  return scope.env.state
    .list(scope.region, kind)
    .flatMap((r) =>
      r.tags.map((t) => ({ resourceId: idOf(r), resourceType: RESOURCE_TYPES[kind], ...t })),
    );
}

export const TAG_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateTags: async (scope, params) => {
    await tagResources(scope, {
      resources: memberList(params, 'ResourceId'),
      tags: tagList(params),
    });
    return { return: true };
  },
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};

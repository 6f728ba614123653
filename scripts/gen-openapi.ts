/**
 * Generates `src/apiserver/openapi/schemas.gen.json`: OpenAPI v3 component schemas for every
 * Kubernetes type, named as upstream's `api/openapi-spec/v3` names them.
 *
 * The source is the `kubernetes-types` dev dependency, whose declarations carry upstream's field
 * descriptions as doc comments. The declarations are read syntactically (no type checker), so the
 * output depends only on the package's text and is byte-for-byte reproducible.
 *
 * Usage: `node --import tsx scripts/gen-openapi.ts [--check]`. With `--check` it writes nothing and
 * exits 1 when the committed file is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Schema = Record<string, Json>;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES_DIR = join(ROOT, 'node_modules', 'kubernetes-types');
const OUT_FILE = join(ROOT, 'src', 'apiserver', 'openapi', 'schemas.gen.json');
const REF_PREFIX = '#/components/schemas/';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** kubernetes-types module paths whose upstream Go package is not `k8s.io/api/<group>/<version>`. */
const PACKAGE_NAMES: Readonly<Record<string, string>> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

function packageName(moduleKey: string): string {
  return PACKAGE_NAMES[moduleKey] ?? `io.k8s.api.${moduleKey.replaceAll('/', '.')}`;
}

/**
 * Types whose JSON form upstream declares by hand (custom marshalers in Go). The TypeScript
 * declarations say only `string` or `{}`, so the upstream shape is restated here.
 */
const SPECIAL_SHAPES: Readonly<Record<string, Schema>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  // Any JSON value at all: upstream gives it neither a type nor properties.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': {},
};

/** kubernetes-types writes IntOrString inline as `number | string`; upstream names it. */
const SYNTHESIZED: Readonly<Record<string, Schema>> = {
  [INT_OR_STRING]: {
    description:
      'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the inner ' +
      'value itself, so a field of this type accepts a number (such as a port) or a name.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
};

/**
 * Members kubernetes-types cannot express (their names are not identifiers), added so that a
 * CustomResourceDefinition using them passes strict field validation and `kubectl explain`.
 */
const EXTRA_PROPERTIES: Readonly<Record<string, Readonly<Record<string, Schema>>>> = {
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': {
    'x-kubernetes-embedded-resource': {
      description:
        'x-kubernetes-embedded-resource marks the value as a whole Kubernetes object: apiVersion, ' +
        'kind and metadata are validated and kept, with metadata pruned to ObjectMeta.',
      type: 'boolean',
    },
    'x-kubernetes-int-or-string': {
      description:
        'x-kubernetes-int-or-string lets the value be either an integer or a string, as ' +
        'IntOrString fields of built-in types are.',
      type: 'boolean',
    },
    'x-kubernetes-list-map-keys': {
      description:
        'x-kubernetes-list-map-keys names the item fields that identify an item of a list whose ' +
        'x-kubernetes-list-type is "map". Server-side apply merges such lists by these keys.',
      items: { default: '', type: 'string' },
      type: 'array',
      'x-kubernetes-list-type': 'atomic',
    },
    'x-kubernetes-list-type': {
      description:
        'x-kubernetes-list-type states how server-side apply treats a list: "atomic" (replaced ' +
        'whole), "set" (unique scalar items) or "map" (items keyed by x-kubernetes-list-map-keys).',
      type: 'string',
    },
    'x-kubernetes-map-type': {
      description:
        'x-kubernetes-map-type states how server-side apply treats an object: "granular" (each ' +
        'field owned separately) or "atomic" (replaced whole).',
      type: 'string',
    },
    'x-kubernetes-preserve-unknown-fields': {
      description:
        'x-kubernetes-preserve-unknown-fields stops the API server from pruning fields the ' +
        'schema does not declare at this level; declared fields are still validated.',
      type: 'boolean',
    },
    'x-kubernetes-validations': {
      description: 'x-kubernetes-validations lists CEL rules the value must satisfy.',
      items: {
        allOf: [
          {
            $ref: `${REF_PREFIX}io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule`,
          },
        ],
        default: {},
      },
      type: 'array',
      'x-kubernetes-list-map-keys': ['rule'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'rule',
      'x-kubernetes-patch-strategy': 'merge',
    },
  },
};

/**
 * meta/v1 kinds are served by every group, so their declarations carry no literal apiVersion to
 * read a group-version-kind from. Upstream tags them (among many others) with the core group.
 */
const META_KINDS: ReadonlySet<string> = new Set(['DeleteOptions', 'Status', 'WatchEvent']);

/**
 * TypeScript has one `number`; Go has int32, int64 and float64. Upstream's int64 fields, by JSON
 * name (the same name is never int32 in one type and int64 in another).
 */
const INT64_FIELDS: ReadonlySet<string> = new Set([
  'activeDeadlineSeconds',
  'deletionGracePeriodSeconds',
  'expirationSeconds',
  'fsGroup',
  'generation',
  'gracePeriodSeconds',
  'int',
  'ints',
  'maxItems',
  'maxLength',
  'maxProperties',
  'minItems',
  'minLength',
  'minProperties',
  'observedGeneration',
  'remainingItemCount',
  'revision',
  'runAsGroup',
  'runAsUser',
  'seconds',
  'sizeBytes',
  'startingDeadlineSeconds',
  'supplementalGroups',
  'terminationGracePeriodSeconds',
  'tolerationSeconds',
]);

/** The only float64 fields in the built-in API, as `<schema>.<field>`. */
const FLOAT_FIELDS: ReadonlySet<string> = new Set(
  ['maximum', 'minimum', 'multipleOf'].map(
    (f) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.${f}`,
  ),
);

interface ModuleInfo {
  key: string;
  file: ts.SourceFile;
  /** Local name → full schema name, for imported and locally declared types. */
  scope: Map<string, string>;
}

interface FieldContext {
  schemaName: string;
  field: string;
  module: ModuleInfo;
  /** Full names of declarations that are interfaces with members (objects with properties). */
  structs: ReadonlySet<string>;
}

function listDeclarationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDeclarationFiles(path));
    else if (entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function loadModules(): ModuleInfo[] {
  return listDeclarationFiles(TYPES_DIR).map((path) => {
    const key = relative(TYPES_DIR, path).replace(/\.d\.ts$/, '');
    const file = ts.createSourceFile(
      path,
      readFileSync(path, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    return { key, file, scope: new Map<string, string>() };
  });
}

function resolveModuleKey(fromKey: string, specifier: string): string {
  const joined = join(dirname(fromKey), specifier);
  return joined.replaceAll('\\', '/');
}

function buildScope(mod: ModuleInfo): void {
  for (const stmt of mod.file.statements) {
    if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) {
      mod.scope.set(stmt.name.text, `${packageName(mod.key)}.${stmt.name.text}`);
    } else if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      const target = packageName(resolveModuleKey(mod.key, stmt.moduleSpecifier.text));
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          mod.scope.set(el.name.text, `${target}.${(el.propertyName ?? el.name).text}`);
        }
      }
    }
  }
}

/** The doc comment right before `node`, with the comment markers and line prefixes removed. */
function docComment(node: ts.Node, file: ts.SourceFile): string | undefined {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => file.text.startsWith('/**', r.pos)).at(-1);
  if (!last) return undefined;
  const body = file.text.slice(last.pos + 3, last.end - 2);
  const lines = body.split('\n').map((line) => line.replace(/^\s*\* ?/, '').trimEnd());
  const text = lines.join('\n').trim();
  return text === '' ? undefined : text;
}

function refTo(name: string): Schema {
  return { $ref: `${REF_PREFIX}${name}` };
}

function numberSchema(ctx: FieldContext): Schema {
  if (FLOAT_FIELDS.has(`${ctx.schemaName}.${ctx.field}`))
    return { format: 'double', type: 'number' };
  return { format: INT64_FIELDS.has(ctx.field) ? 'int64' : 'int32', type: 'integer' };
}

/** A schema for a nested position (array item, map value): struct refs carry upstream's default. */
function nestedSchema(node: ts.TypeNode, ctx: FieldContext): Schema {
  const schema = typeSchema(node, ctx);
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ctx.structs.has(ref.slice(REF_PREFIX.length))) {
    return { allOf: [schema], default: {} };
  }
  return schema;
}

function unionSchema(node: ts.UnionTypeNode, ctx: FieldContext): Schema {
  const kinds = new Set(node.types.map((t) => t.kind));
  if (
    kinds.size === 2 &&
    kinds.has(ts.SyntaxKind.NumberKeyword) &&
    kinds.has(ts.SyntaxKind.StringKeyword)
  ) {
    return refTo(INT_OR_STRING);
  }
  if (node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
    return { type: 'string' };
  }
  throw new Error(`${ctx.schemaName}.${ctx.field}: unsupported union ${node.getText()}`);
}

function referenceSchema(node: ts.TypeReferenceNode, ctx: FieldContext): Schema {
  const name = node.typeName.getText();
  const args = node.typeArguments ?? [];
  const [first] = args;
  if (name === 'Array' && first && args.length === 1) {
    return { items: nestedSchema(first, ctx), type: 'array' };
  }
  const full = ctx.module.scope.get(name);
  if (!full) throw new Error(`${ctx.schemaName}.${ctx.field}: unknown type ${name}`);
  return refTo(full);
}

function typeLiteralSchema(node: ts.TypeLiteralNode, ctx: FieldContext): Schema {
  const [member] = node.members;
  if (node.members.length === 1 && member && ts.isIndexSignatureDeclaration(member)) {
    return { additionalProperties: nestedSchema(member.type, ctx), type: 'object' };
  }
  throw new Error(`${ctx.schemaName}.${ctx.field}: unsupported inline object type`);
}

function typeSchema(node: ts.TypeNode, ctx: FieldContext): Schema {
  if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
  if (node.kind === ts.SyntaxKind.NumberKeyword) return numberSchema(ctx);
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string' };
  if (ts.isParenthesizedTypeNode(node)) return typeSchema(node.type, ctx);
  if (ts.isArrayTypeNode(node))
    return { items: nestedSchema(node.elementType, ctx), type: 'array' };
  if (ts.isUnionTypeNode(node)) return unionSchema(node, ctx);
  if (ts.isTypeReferenceNode(node)) return referenceSchema(node, ctx);
  if (ts.isTypeLiteralNode(node)) return typeLiteralSchema(node, ctx);
  throw new Error(`${ctx.schemaName}.${ctx.field}: unsupported type ${node.getText()}`);
}

function propertyName(member: ts.PropertySignature): string {
  const name = member.name;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error(`unsupported property name ${name.getText()}`);
}

function literalText(member: ts.PropertySignature | undefined): string | undefined {
  const type = member?.type;
  return type && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)
    ? type.literal.text
    : undefined;
}

/** Upstream tags each top-level kind with the group, version and kind it is served as. */
function groupVersionKind(members: readonly ts.PropertySignature[]): Json | undefined {
  const byName = new Map(members.map((m) => [propertyName(m), m]));
  const apiVersion = literalText(byName.get('apiVersion'));
  const kind = literalText(byName.get('kind'));
  if (apiVersion === undefined || kind === undefined) return undefined;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  return [{ group, kind, version }];
}

function propertySchema(member: ts.PropertySignature, ctx: FieldContext): Schema {
  if (!member.type) throw new Error(`${ctx.schemaName}.${ctx.field}: property without a type`);
  const schema = typeSchema(member.type, ctx);
  const description = docComment(member, ctx.module.file);
  // A sibling of `$ref` is ignored by OpenAPI 3.0, so upstream wraps refs in allOf to describe them.
  const base: Schema = typeof schema['$ref'] === 'string' ? { allOf: [schema] } : schema;
  return description === undefined ? base : { ...base, description };
}

function interfaceSchema(
  decl: ts.InterfaceDeclaration,
  mod: ModuleInfo,
  structs: ReadonlySet<string>,
): Schema {
  const schemaName = `${packageName(mod.key)}.${decl.name.text}`;
  const members = decl.members.filter(ts.isPropertySignature);
  if (members.length !== decl.members.length) {
    throw new Error(`${schemaName}: members other than properties are not supported`);
  }
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const member of members) {
    const field = propertyName(member);
    properties[field] = propertySchema(member, { schemaName, field, module: mod, structs });
    if (!member.questionToken) required.push(field);
  }
  Object.assign(properties, EXTRA_PROPERTIES[schemaName]);
  const schema: Schema = { type: 'object' };
  if (Object.keys(properties).length > 0) schema['properties'] = properties;
  if (required.length > 0) schema['required'] = required;
  const gvk =
    META_KINDS.has(decl.name.text) && mod.key === 'meta/v1'
      ? [{ group: '', kind: decl.name.text, version: 'v1' }]
      : groupVersionKind(members);
  if (gvk !== undefined) schema['x-kubernetes-group-version-kind'] = gvk;
  return schema;
}

function aliasSchema(
  decl: ts.TypeAliasDeclaration,
  mod: ModuleInfo,
  structs: ReadonlySet<string>,
): Schema {
  const schemaName = `${packageName(mod.key)}.${decl.name.text}`;
  return typeSchema(decl.type, { schemaName, field: '', module: mod, structs });
}

function declarationSchema(
  decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration,
  mod: ModuleInfo,
  structs: ReadonlySet<string>,
): Schema {
  const name = `${packageName(mod.key)}.${decl.name.text}`;
  const special = SPECIAL_SHAPES[name];
  const shape =
    special ??
    (ts.isInterfaceDeclaration(decl)
      ? interfaceSchema(decl, mod, structs)
      : aliasSchema(decl, mod, structs));
  const description = docComment(decl, mod.file);
  return description === undefined ? { ...shape } : { description, ...shape };
}

function declarationsOf(mod: ModuleInfo): (ts.InterfaceDeclaration | ts.TypeAliasDeclaration)[] {
  return mod.file.statements.filter(
    (s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
      ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s),
  );
}

function generateSchemas(): Record<string, Schema> {
  const modules = loadModules();
  modules.forEach(buildScope);
  const structs = new Set<string>();
  for (const mod of modules) {
    for (const decl of declarationsOf(mod)) {
      if (ts.isInterfaceDeclaration(decl) && decl.members.length > 0) {
        structs.add(`${packageName(mod.key)}.${decl.name.text}`);
      }
    }
  }
  const out: Record<string, Schema> = { ...SYNTHESIZED };
  for (const mod of modules) {
    for (const decl of declarationsOf(mod)) {
      out[`${packageName(mod.key)}.${decl.name.text}`] = declarationSchema(decl, mod, structs);
    }
  }
  addEmbeddedRuleFields(out);
  assertRefsResolve(out);
  return out;
}

/**
 * admissionregistration's `RuleWithOperations` and `NamedRuleWithOperations` embed the Go
 * struct `Rule`, whose `resources` and `scope` kubernetes-types leaves out; upstream's OpenAPI
 * inlines them. Texts are upstream's field comments.
 */
const EMBEDDED_RULE_FIELDS: Readonly<Record<string, Schema>> = {
  resources: {
    type: 'array',
    items: { type: 'string', default: '' },
    'x-kubernetes-list-type': 'atomic',
    description:
      "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.\n\nIf wildcard is present, the validation rule will ensure resources do not overlap with each other.\n\nDepending on the enclosing object, subresources might not be allowed. Required.",
  },
  scope: {
    type: 'string',
    description:
      'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".',
  },
};

function addEmbeddedRuleFields(schemas: Record<string, Schema>): void {
  for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
    for (const type of ['RuleWithOperations', 'NamedRuleWithOperations']) {
      const schema = schemas[`io.k8s.api.admissionregistration.${version}.${type}`];
      const props = schema?.['properties'];
      if (
        props === undefined ||
        props === null ||
        typeof props !== 'object' ||
        Array.isArray(props)
      )
        continue;
      Object.assign(props, EMBEDDED_RULE_FIELDS);
    }
  }
}

function collectRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.slice(REF_PREFIX.length));
      else collectRefs(v, into);
    }
  }
}

function assertRefsResolve(schemas: Record<string, Schema>): void {
  const refs = new Set<string>();
  collectRefs(schemas, refs);
  const missing = [...refs].filter((r) => !(r in schemas));
  if (missing.length > 0) throw new Error(`unresolved refs: ${missing.join(', ')}`);
}

/** Object keys sorted at every depth, so the output is stable whatever the declaration order. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

function main(): void {
  const text = `${JSON.stringify(sortKeys(generateSchemas()), null, 1)}\n`;
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUT_FILE, 'utf8');
    if (current !== text) {
      console.error(`${relative(ROOT, OUT_FILE)} is stale: run scripts/gen-openapi.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(OUT_FILE, text);
  console.log(`wrote ${relative(ROOT, OUT_FILE)} (${text.length} bytes)`);
}

main();

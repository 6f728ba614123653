import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './index.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

void describe('name format checks', () => {
  void it('isDns1123Subdomain', () => {
    assert.deepEqual(isDns1123Subdomain('example.com'), []);
    assert.deepEqual(isDns1123Subdomain('Foo'), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDns1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  void it('isDns1123Label', () => {
    assert.deepEqual(isDns1123Label('my-name'), []);
    assert.deepEqual(isDns1123Label('a.b'), ['must not contain dots']);
    // RegexError appends " or " after "', ", so examples are separated by two spaces.
    assert.deepEqual(isDns1123Label('-x'), [LABEL_MSG]);
    assert.deepEqual(isDns1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  void it('isQualifiedName', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('a/b/c').length, 1);
    assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('Example.com/x'), [`prefix part ${SUBDOMAIN_MSG}`]);
    assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty', NAME_PART_MSG]);
  });

  void it('isValidLabelValue', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('ok_1.x'), []);
    assert.equal(
      isValidLabelValue('-bad')[0]?.startsWith('a valid label must be an empty string'),
      true,
    );
    assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  });
});

void describe('validateObjectMeta', () => {
  const subdomainNs = { namespaced: true, nameRule: 'subdomain' } as const;

  void it('accepts a valid name in a namespace', () => {
    assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default' }, subdomainNs), []);
  });

  void it('reports a bad name with the exact upstream message', () => {
    const errs = validateObjectMeta({ name: 'Foo', namespace: 'default' }, subdomainNs);
    assert.deepEqual(
      errs.map((e) => [e.type, e.field, e.message]),
      [
        [
          'FieldValueInvalid',
          'metadata.name',
          `metadata.name: Invalid value: "Foo": ${SUBDOMAIN_MSG}`,
        ],
      ],
    );
  });

  void it('requires a name or generateName, and checks generateName with its trailing dash', () => {
    assert.deepEqual(
      validateObjectMeta({ namespace: 'default' }, subdomainNs).map((e) => e.message),
      ['metadata.name: Required value: name or generateName is required'],
    );
    assert.deepEqual(
      validateObjectMeta({ generateName: 'web-', name: 'web-x', namespace: 'd' }, subdomainNs),
      [],
    );
  });

  void it('requires a namespace iff namespaced', () => {
    assert.deepEqual(
      validateObjectMeta({ name: 'a' }, subdomainNs).map((e) => e.message),
      ['metadata.namespace: Required value'],
    );
    assert.deepEqual(
      validateObjectMeta(
        { name: 'a', namespace: 'x' },
        { namespaced: false, nameRule: 'label' },
      ).map((e) => e.message),
      ['metadata.namespace: Forbidden: not allowed on this type'],
    );
  });

  void it('applies the label and path-segment name rules', () => {
    assert.deepEqual(
      validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameRule: 'label' }).map(
        (e) => e.message,
      ),
      ['metadata.name: Invalid value: "a.b": must not contain dots'],
    );
    assert.deepEqual(
      validateObjectMeta({ name: 'a/b' }, { namespaced: false, nameRule: 'path-segment' }).map(
        (e) => e.message,
      ),
      ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
    );
    assert.deepEqual(
      validateObjectMeta({ name: '..' }, { namespaced: false, nameRule: 'path-segment' }).map(
        (e) => e.message,
      ),
      ['metadata.name: Invalid value: "..": may not be \'..\''],
    );
  });

  void it('checks label keys and values at the labels path', () => {
    const errs = validateObjectMeta(
      { name: 'a', namespace: 'n', labels: { 'bad key': 'ok', ok: '-bad' } },
      subdomainNs,
    );
    assert.equal(errs.length, 2);
    assert.equal(
      errs[0]?.message.startsWith(
        'metadata.labels: Invalid value: "bad key": name part must consist',
      ),
      true,
    );
    assert.equal(
      errs[1]?.message.startsWith('metadata.labels: Invalid value: "-bad": a valid label must be'),
      true,
    );
  });

  void it('limits annotations to 256 KiB in total', () => {
    const errs = validateObjectMeta(
      { name: 'a', namespace: 'n', annotations: { k: 'x'.repeat(256 * 1024) } },
      subdomainNs,
    );
    assert.deepEqual(
      errs.map((e) => [e.type, e.message]),
      [['FieldValueTooLong', 'metadata.annotations: Too long: may not be more than 262144 bytes']],
    );
  });

  void it('checks owner references', () => {
    const errs = validateObjectMeta(
      {
        name: 'a',
        namespace: 'n',
        ownerReferences: [
          { apiVersion: '', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs2', uid: '', controller: true },
        ],
      },
      subdomainNs,
    );
    assert.deepEqual(
      errs.slice(0, 2).map((e) => e.message),
      [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
      ],
    );
    assert.ok(
      errs[2]?.message.startsWith(
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"", Kind:"ReplicaSet", Name:"rs", UID:"u1", Controller:(*bool)(0xc000000000), BlockOwnerDeletion:(*bool)(nil)}, ',
      ),
    );
    assert.match(
      errs[2]?.message ?? '',
      /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/rs and ReplicaSet\/rs2$/,
    );
  });

  void it('checks finalizer names', () => {
    const errs = validateObjectMeta(
      {
        name: 'a',
        namespace: 'n',
        finalizers: ['example.com/ok', 'custom', 'orphan', 'foregroundDeletion'],
      },
      subdomainNs,
    );
    assert.deepEqual(
      errs.map((e) => e.message),
      [
        'metadata.finalizers: Invalid value: []string{"example.com/ok", "custom", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
        'metadata.finalizers[1]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
      ],
    );
  });
});

void describe('validateObjectMetaUpdate', () => {
  void it('requires a resourceVersion and keeps name and uid immutable', () => {
    const errs = validateObjectMetaUpdate(
      { name: 'b', uid: 'u2' },
      { name: 'a', uid: 'u1', resourceVersion: '5' },
    );
    assert.deepEqual(
      errs.map((e) => e.message),
      [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update',
        'metadata.name: Invalid value: "b": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
      ],
    );
  });

  void it('forbids new finalizers while deleting', () => {
    const errs = validateObjectMetaUpdate(
      {
        name: 'a',
        resourceVersion: '2',
        finalizers: ['x.io/a', 'x.io/b'],
        deletionTimestamp: '2024-01-01T00:00:00Z',
      },
      {
        name: 'a',
        resourceVersion: '1',
        finalizers: ['x.io/a'],
        deletionTimestamp: '2024-01-01T00:00:00Z',
      },
    );
    assert.deepEqual(
      errs.map((e) => e.message),
      [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x.io/b"}',
      ],
    );
  });
});

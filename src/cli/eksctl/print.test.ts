import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printProfiles, tabwrite, type PrintedProfile } from './print.ts';

const PROFILES: PrintedProfile[] = [
  {
    name: 'fp-test',
    podExecutionRoleARN: 'arn:aws:iam::123:role/root',
    selectors: [
      { namespace: 'kube-system', labels: { app: 'my-app', env: 'test' } },
      { namespace: 'default' },
    ],
    tags: { app: 'my-app', env: 'test' },
    status: 'ACTIVE',
  },
  {
    name: 'fp-prod',
    subnets: ['subnet-prod', 'subnet-d34dc0w'],
    selectors: [{ namespace: 'prod', labels: { env: 'prod' } }],
    podExecutionRoleARN: 'arn:aws:iam::123:role/root',
    status: 'ACTIVE',
  },
];

describe('eksctl get fargateprofile output', () => {
  it('prints a tab-padded table, one row per selector, sorted', () => {
    assert.equal(
      printProfiles(PROFILES, 'table'),
      'NAME\tSELECTOR_NAMESPACE\tSELECTOR_LABELS\t\tPOD_EXECUTION_ROLE_ARN\t\tSUBNETS\t\t\t\tTAGS\t\t\tSTATUS\n' +
        'fp-prod\tprod\t\t\tenv=prod\t\tarn:aws:iam::123:role/root\tsubnet-prod,subnet-d34dc0w\t<none>\t\t\tACTIVE\n' +
        'fp-test\tdefault\t\t\t<none>\t\t\tarn:aws:iam::123:role/root\t<none>\t\t\t\tapp=my-app,env=test\tACTIVE\n' +
        'fp-test\tkube-system\t\tapp=my-app,env=test\tarn:aws:iam::123:role/root\t<none>\t\t\t\tapp=my-app,env=test\tACTIVE\n',
    );
  });

  it('prints YAML with sorted keys and unindented sequences, omitting empties', () => {
    assert.equal(
      printProfiles(PROFILES, 'yaml'),
      '- name: fp-test\n  podExecutionRoleARN: arn:aws:iam::123:role/root\n  selectors:\n  - labels:\n      app: my-app\n      env: test\n    namespace: kube-system\n  - namespace: default\n  status: ACTIVE\n  tags:\n    app: my-app\n    env: test\n' +
        '- name: fp-prod\n  podExecutionRoleARN: arn:aws:iam::123:role/root\n  selectors:\n  - labels:\n      env: prod\n    namespace: prod\n  status: ACTIVE\n  subnets:\n  - subnet-prod\n  - subnet-d34dc0w\n',
    );
  });

  it('prints JSON in struct order with four-space indentation', () => {
    const out = JSON.parse(printProfiles(PROFILES, 'json')) as { name: string }[];
    assert.deepEqual(Object.keys(out[1] ?? {}), [
      'name',
      'podExecutionRoleARN',
      'selectors',
      'subnets',
      'status',
    ]);
    assert.match(printProfiles(PROFILES, 'json'), /^\[\n {4}\{\n {8}"name": "fp-test"/);
  });

  it('says so when there is nothing, and rejects unknown formats as eksctl does', () => {
    assert.equal(printProfiles([], 'table'), 'No fargateprofiles found\n');
    assert.throws(() => printProfiles(PROFILES, 'foo'), {
      message: 'unknown output printer type: expected {"yaml","json","table"} but got "foo"',
    });
  });

  it('pads cells to tab stops like Go tabwriter', () => {
    assert.equal(
      tabwrite([
        ['a', 'b'],
        ['abcdefgh', 'c'],
      ]),
      'a\t\tb\nabcdefgh\tc\n',
    );
  });
});

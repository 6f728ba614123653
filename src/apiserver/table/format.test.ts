import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLabels, formatLabelSelector, listWithMore, selectorString } from './format.ts';

void describe('label formatting', () => {
  void it('formatLabels sorts whole k=v strings', () => {
    assert.equal(formatLabels({ b: '2', a: '1', 'a-b': '3' }), 'a-b=3,a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });

  void it('selectorString follows labels.Selector.String()', () => {
    assert.equal(
      selectorString({
        matchLabels: { zone: 'a', app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'NotIn', values: ['prod', 'dev'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      }),
      'app=web,env notin (dev,prod),gpu,!legacy,zone=a',
    );
    assert.equal(selectorString(undefined), '');
    assert.equal(selectorString({}), '');
    assert.equal(
      selectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      undefined,
    );
    assert.equal(
      selectorString({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      undefined,
    );
  });

  void it('formatLabelSelector maps empty to <none> and errors to <error>', () => {
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchLabels: {} }), '<none>');
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(
      formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
      '<error>',
    );
  });

  void it('listWithMore', () => {
    assert.equal(listWithMore([], 0, 3), '<unset>');
    assert.equal(listWithMore(['a', 'b'], 2, 3), 'a,b');
    assert.equal(listWithMore(['a', 'b', 'c', 'd'], 5, 3), 'a,b,c + 2 more...');
  });
});

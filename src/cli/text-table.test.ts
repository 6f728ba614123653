import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubectlTable } from './text-table.ts';

describe('kubectlTable', () => {
  it('pads each column to its widest cell plus three, leaving the last cell as it is', () => {
    assert.equal(
      kubectlTable([
        ['NAME', 'READY', 'AGE'],
        ['web-7f9c', '1/1', '5m'],
        ['db', '0/1', '12h'],
      ]),
      'NAME       READY   AGE\nweb-7f9c   1/1     5m\ndb         0/1     12h\n',
    );
  });

  it('leaves no trailing blanks when the last cells are empty', () => {
    assert.equal(
      kubectlTable([
        ['A', 'B', 'C'],
        ['x', '', ''],
      ]),
      'A   B   C\nx\n',
    );
    assert.equal(kubectlTable([]), '');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuantity, quantityText } from './quantity.ts';

void describe('canonicalQuantity (resource.Quantity String())', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['0Gi', '0'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1500Mi', '1500Mi'],
    ['2048Ki', '2Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['512', '512'],
    ['1000', '1k'],
    ['1024', '1024'],
    ['1500', '1500'],
    ['1.5', '1500m'],
    ['0.25', '250m'],
    ['2000m', '2'],
    ['100m', '100m'],
    ['0.1m', '100u'],
    ['1n', '1n'],
    ['0.5n', '1n'],
    ['12e6', '12e6'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['5G', '5G'],
    ['5000M', '5G'],
    ['-1Gi', '-1Gi'],
    ['-100m', '-100m'],
    ['0.5Ki', '512'],
    ['+3', '3'],
    ['bogus', 'bogus'],
  ];
  for (const [input, want] of cases) {
    void it(`${input} → ${want}`, () => {
      assert.equal(canonicalQuantity(input), want);
    });
  }

  void it('prints an absent quantity as 0', () => {
    assert.equal(quantityText(undefined), '0');
    assert.equal(quantityText(2), '2');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  parseQuantityExact,
  QUANTITY_ERRORS,
  QuantityParseError,
  roundUpQuantity,
  tryParseQuantity,
} from './quantity.ts';

void describe('parseQuantity', () => {
  const cases: readonly (readonly [string, number])[] = [
    ['500m', 0.5],
    ['512Mi', 512 * 1024 * 1024],
    ['1e3', 1000],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1Ki', 1024],
    ['2', 2],
    ['0', 0],
    ['-1', -1],
    ['100u', 0.0001],
    ['1n', 1e-9],
    ['3k', 3000],
    ['1E', 1e18],
    ['+2.5', 2.5],
    ['.5', 0.5],
  ];
  for (const [text, value] of cases) {
    void it(`${text} is ${value}`, () => {
      assert.equal(parseQuantity(text), value);
    });
  }

  void it('rejects text outside the grammar with ParseQuantity errors', () => {
    assert.equal(tryParseQuantity(''), QUANTITY_ERRORS.format);
    assert.equal(tryParseQuantity('abc'), QUANTITY_ERRORS.format);
    assert.equal(tryParseQuantity('1.2.3'), QUANTITY_ERRORS.format);
    assert.equal(tryParseQuantity('1e'), QUANTITY_ERRORS.suffix);
    assert.equal(tryParseQuantity('1Zi'), QUANTITY_ERRORS.format);
    assert.equal(tryParseQuantity('5Q'), QUANTITY_ERRORS.format);
    assert.throws(() => parseQuantity('12 Mi'), QuantityParseError);
    assert.equal(
      QUANTITY_ERRORS.format,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  void it('rounds values finer than nano up, away from zero', () => {
    assert.equal(formatQuantity(parseQuantityExact('0.1n')), '1n');
    assert.equal(formatQuantity(parseQuantityExact('-0.1n')), '-1n');
  });
});

void describe('formatQuantity', () => {
  // apimachinery's TestQuantityParseEmit.
  const emit: readonly (readonly [string, string])[] = [
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
  ];
  for (const [input, expected] of emit) {
    void it(`${input} prints as ${expected}, and -${input} as -${expected}`, () => {
      assert.equal(formatQuantity(parseQuantityExact(input)), expected);
      assert.equal(formatQuantity(parseQuantityExact(`-${input}`)), `-${expected}`);
    });
  }

  // apimachinery's TestQuantityString: canonical text is kept verbatim, alternates are
  // rewritten to it.
  const canonical: readonly (readonly [string, string])[] = [
    ['1Gi', '1024Mi'],
    ['300Mi', '307200Ki'],
    ['6Ki', ''],
    ['1001Gi', '1025024Mi'],
    ['1Ti', '1024Gi'],
    ['5', '5000m'],
    ['500m', '0.5'],
    ['1G', '1000M'],
    ['1m', '1000u'],
    ['80m', ''],
    ['1080m', '1.08'],
    ['300M', ''],
    ['1T', ''],
    ['1234567M', ''],
    ['3k', ''],
    ['1025', ''],
    ['0', '00'],
    ['1e9', '.001e12'],
    ['1e-3', '0.001e0'],
    ['1e-9', '1000e-12'],
    ['80e-3', ''],
    ['300e6', ''],
    ['1n', ''],
    ['1080n', ''],
    ['1u', ''],
    ['1080u', ''],
  ];
  for (const [expected, alternate] of canonical) {
    void it(`keeps ${expected}${alternate === '' ? '' : ` and rewrites ${alternate} to it`}`, () => {
      const q = parseQuantityExact(expected);
      assert.equal(q.text, expected);
      assert.equal(formatQuantity(q), expected);
      if (alternate === '') return;
      const alt = parseQuantityExact(alternate);
      assert.equal(alt.text, undefined);
      assert.equal(canonicalQuantity(alt), expected);
    });
  }
});

void describe('roundUpQuantity', () => {
  // apimachinery's TestQuantityRoundUp, as canonical text.
  const cases: readonly (readonly [string, number, string])[] = [
    ['9.01', -3, '9010m'],
    ['9.01', -2, '9010m'],
    ['9.01', -1, '9100m'],
    ['9.01', 0, '10'],
    ['-9.01', -1, '-9100m'],
    ['-9.01', 0, '-10'],
    ['100u', -3, '1m'],
    ['1.5Gi', -3, '1536Mi'],
  ];
  for (const [input, scale, expected] of cases) {
    void it(`${input} at scale ${scale} is ${expected}`, () => {
      assert.equal(formatQuantity(roundUpQuantity(parseQuantityExact(input), scale)), expected);
    });
  }
});

void describe('compareQuantities', () => {
  void it('compares across suffixes exactly', () => {
    const q = (s: string) => parseQuantityExact(s);
    assert.equal(compareQuantities(q('1'), q('1000m')), 0);
    assert.equal(compareQuantities(q('1Gi'), q('1G')), 1);
    assert.equal(compareQuantities(q('500m'), q('0.6')), -1);
    assert.equal(compareQuantities(q('1e3'), q('1k')), 0);
  });
});

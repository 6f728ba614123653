import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crdTablePrinter, goFloatText, goJson } from './crd.ts';
import { ago, cellsOf, HOUR, MINUTE, obj } from './test-fixtures.ts';

const certificate = obj(
  'cert-manager.io/v1/Certificate',
  { name: 'shop-tls', creationTimestamp: ago(2 * HOUR) },
  {
    spec: {
      secretName: 'shop-tls',
      dnsNames: ['shop.example.com', 'www.shop.example.com'],
      duration: 2160,
    },
    status: {
      conditions: [
        { type: 'Issuing', status: 'False' },
        { type: 'Ready', status: 'True', message: 'Certificate is up to date and has not expired' },
      ],
      notAfter: '2025-08-30T12:00:00Z',
      renewalTime: ago(30 * MINUTE),
      revision: 3,
      weight: 2.5,
    },
  },
);

void describe('crdTablePrinter', () => {
  void it('prints cert-manager-style additionalPrinterColumns', () => {
    const p = crdTablePrinter([
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
      { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name', priority: 1 },
      {
        name: 'Status',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].message',
        priority: 1,
        description: 'The ready message',
      },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Secret', 'string', '', 0],
        ['Issuer', 'string', '', 1],
        ['Status', 'string', '', 1],
        ['Age', 'date', '', 0],
      ],
    );
    assert.equal(
      p.columns[1]?.description,
      'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status',
    );
    assert.equal(p.columns[4]?.description, 'The ready message');
    assert.deepEqual(cellsOf(p, certificate), [
      'shop-tls',
      'True',
      'shop-tls',
      null,
      'Certificate is up to date and has not expired',
      '120m',
    ]);
  });

  void it('types cells: integer, number, boolean, date; null on mismatch', () => {
    const p = crdTablePrinter([
      { name: 'Revision', type: 'integer', jsonPath: '.status.revision' },
      { name: 'Weight', type: 'integer', jsonPath: '.status.weight' },
      { name: 'Ratio', type: 'number', jsonPath: '.status.weight' },
      { name: 'Bool', type: 'boolean', jsonPath: '.status.revision' },
      { name: 'Renew', type: 'date', jsonPath: '.status.renewalTime' },
      { name: 'BadDate', type: 'date', jsonPath: '.spec.secretName' },
      { name: 'NotString', type: 'date', jsonPath: '.status.revision' },
      { name: 'Format', type: 'string', format: 'byte', jsonPath: '.spec.duration' },
    ]);
    assert.equal(p.columns[8]?.format, 'byte');
    assert.deepEqual(cellsOf(p, certificate).slice(1), [
      3,
      2,
      2.5,
      null,
      '30m',
      '<invalid>',
      null,
      '2160',
    ]);
  });

  void it('prints objects as Go JSON and only the first of several values', () => {
    const p = crdTablePrinter([
      { name: 'Names', type: 'string', jsonPath: '.spec.dnsNames' },
      { name: 'First', type: 'string', jsonPath: '.spec.dnsNames[*]' },
      { name: 'Cond', type: 'string', jsonPath: '.status.conditions[1]' },
      { name: 'Weight', type: 'string', jsonPath: '.status.weight' },
      { name: 'Out', type: 'string', jsonPath: '.spec.dnsNames[9]' },
    ]);
    assert.deepEqual(cellsOf(p, certificate).slice(1), [
      '["shop.example.com","www.shop.example.com"]',
      'shop.example.com',
      '{"message":"Certificate is up to date and has not expired","status":"True","type":"Ready"}',
      '2.5',
      null,
    ]);
  });

  void it('serves the default Age column when there are no printer columns', () => {
    const p = crdTablePrinter([]);
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Age', 'date'],
      ],
    );
    assert.match(p.columns[1]?.description ?? '', /^CreationTimestamp is a timestamp/);
    assert.deepEqual(cellsOf(p, certificate), ['shop-tls', '120m']);
  });

  void it('keeps the columns before an unparsable path, as upstream does', () => {
    const p = crdTablePrinter([
      { name: 'A', type: 'string', jsonPath: '.spec.secretName' },
      { name: 'B', type: 'string', jsonPath: '.spec..x' },
      { name: 'C', type: 'string', jsonPath: '.spec.secretName' },
    ]);
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ['Name', 'A'],
    );
  });

  void it('formats like Go', () => {
    assert.equal(goFloatText(0.5), '0.5');
    assert.equal(goFloatText(123456.5), '123456.5');
    assert.equal(goFloatText(1234567.5), '1.2345675e+06');
    assert.equal(goFloatText(0.00001), '1e-05');
    assert.equal(goFloatText(0.0001), '0.0001');
    assert.equal(
      goJson({ b: '<a&b>', a: [1, { d: 1, c: 2 }] }),
      '{"a":[1,{"c":2,"d":1}],"b":"\\u003ca\\u0026b\\u003e"}',
    );
  });
});

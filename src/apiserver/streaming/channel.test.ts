import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeFrame,
  encodeFrame,
  outcomePayload,
  PROTOCOL_V1,
  PROTOCOL_V4,
  PROTOCOL_V5,
  ResizeDecoder,
} from './channel.ts';

describe('remote command channel framing', () => {
  it('prefixes data with its channel byte and decodes it back', () => {
    const frame = encodeFrame(1, Buffer.from('hi'));
    assert.deepEqual([...frame], [1, 0x68, 0x69]);
    assert.deepEqual(decodeFrame(frame, PROTOCOL_V5), {
      kind: 'data',
      channel: 1,
      data: Buffer.from('hi'),
    });
    assert.equal(decodeFrame(Buffer.alloc(0), PROTOCOL_V5), undefined);
  });

  it('reads the CLOSE signal only in v5', () => {
    assert.deepEqual(decodeFrame(Buffer.from([255, 0]), PROTOCOL_V5), {
      kind: 'close',
      channel: 0,
    });
    assert.deepEqual(decodeFrame(Buffer.from([255, 0]), PROTOCOL_V4), {
      kind: 'data',
      channel: 255,
      data: Buffer.from([0]),
    });
  });

  it('splits resize messages however they arrive', () => {
    const d = new ResizeDecoder();
    assert.deepEqual(d.push(Buffer.from('{"Width":80,"Hei')), []);
    assert.deepEqual(d.push(Buffer.from('ght":24}{"Width":100,"Height":30}')), [
      { width: 80, height: 24 },
      { width: 100, height: 30 },
    ]);
  });

  it('reports outcomes as the kubelet does per protocol', () => {
    const exit = {
      kind: 'exit',
      code: 2,
      message: 'error executing command [x], exit code 2',
    } as const;
    assert.deepEqual(JSON.parse(String(outcomePayload(exit, PROTOCOL_V4))), {
      metadata: {},
      status: 'Failure',
      message:
        'command terminated with non-zero exit code: error executing command [x], exit code 2',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
    assert.equal(
      String(outcomePayload({ kind: 'success' }, PROTOCOL_V5)),
      '{"metadata":{},"status":"Success"}',
    );
    assert.equal(outcomePayload({ kind: 'success' }, PROTOCOL_V1), undefined);
    assert.equal(
      String(outcomePayload({ kind: 'error', message: 'boom' }, PROTOCOL_V1)),
      'Internal error occurred: boom',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import {
  adler32,
  controlFrame,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  spdyDictionary,
  SpdyServer,
  type SpdyStream,
} from './spdy.ts';

const synStream = (id: number, headers: Record<string, string>): Buffer => {
  const block = deflateSync(encodeHeaderBlock(new Map(Object.entries(headers))), {
    dictionary: spdyDictionary(),
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const head = Buffer.alloc(10);
  head.writeUInt32BE(id, 0);
  return controlFrame(1, 0, Buffer.concat([head, block]));
};

describe('SPDY/3.1 server framing', () => {
  it('builds the SPDY/3 dictionary byte for byte', () => {
    const dict = spdyDictionary();
    assert.equal(dict.length, 1423);
    assert.equal(adler32(dict), 0xe3c6a7c2);
  });

  it('accepts streams, replies with readable headers, relays data and pings', async () => {
    const out: Buffer[] = [];
    const streams: SpdyStream[] = [];
    const server = new SpdyServer({ write: (b) => out.push(b), onStream: (s) => streams.push(s) });
    const wire = Buffer.concat([
      synStream(1, { streamtype: 'data', port: '80', requestid: '0' }),
      dataFrame(1, 1, Buffer.from('GET /')),
      controlFrame(6, 0, Buffer.from([0, 0, 0, 7])),
    ]);
    // Byte by byte: frames may arrive split across tunnel messages.
    for (const byte of wire) server.receive(Buffer.from([byte]));
    const [stream] = streams;
    assert.ok(stream);
    assert.equal(stream.headers.get('streamtype'), 'data');
    assert.equal(stream.headers.get('port'), '80');
    const chunks: Buffer[] = [];
    for await (const c of stream.data) chunks.push(c);
    assert.equal(Buffer.concat(chunks).toString(), 'GET /');
    const [reply, pong] = out;
    assert.ok(reply);
    assert.equal(reply.readUInt16BE(2), 2);
    const replyBlock = inflateSync(reply.subarray(12), {
      dictionary: spdyDictionary(),
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    assert.equal(decodeHeaderBlock(replyBlock).size, 0);
    assert.deepEqual(pong, controlFrame(6, 0, Buffer.from([0, 0, 0, 7])));
    stream.write(Buffer.from('ok'));
    stream.close();
    assert.deepEqual(out.slice(2), [
      dataFrame(1, 0, Buffer.from('ok')),
      dataFrame(1, 1, Buffer.alloc(0)),
    ]);
  });
});

import { constants, inflateSync } from 'node:zlib';
import { AsyncQueue } from './async-queue.ts';

/**
 * The server side of SPDY/3.1 as Kubernetes uses it (moby/spdystream): streams opened by the
 * client, header blocks compressed with one zlib context per direction and the SPDY/3
 * dictionary, data frames with FIN half-closes, pings. kubectl 1.31+ tunnels it inside a
 * WebSocket for port-forward, so this works on bytes and leaves the transport to the caller.
 */

/** The words the SPDY/3 header dictionary lists, each prefixed by its 32-bit length. */
const DICTIONARY_WORDS = [
  'options',
  'head',
  'post',
  'put',
  'delete',
  'trace',
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'connection',
  'content-base',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'vary',
  'via',
  'warning',
  'www-authenticate',
  'method',
  'get',
  'status',
  '200 OK',
  'version',
  'HTTP/1.1',
  'url',
  'public',
  'set-cookie',
  'keep-alive',
  'origin',
];

/** The dictionary's unprefixed tail: status codes and phrases, dates, common values. */
const DICTIONARY_TAIL = [
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505',
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request',
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented',
  '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ',
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,',
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=',
  'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.',
].join('');

/** The SPDY/3 zlib dictionary (1423 bytes, Adler-32 0xe3c6a7c2). */
export function spdyDictionary(): Buffer {
  const parts = DICTIONARY_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  });
  return Buffer.concat([...parts, Buffer.from(DICTIONARY_TAIL, 'latin1')]);
}

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const FLAG_FIN = 0x01;
const RST_CANCEL = 5;
const RST_INVALID_STREAM = 2;

export type HeaderBlock = ReadonlyMap<string, string>;

/** Encodes a name/value block: count, then length-prefixed names and values (32-bit). */
export function encodeHeaderBlock(headers: HeaderBlock): Buffer {
  const parts: Buffer[] = [u32(headers.size)];
  for (const [k, v] of headers) {
    parts.push(
      u32(Buffer.byteLength(k)),
      Buffer.from(k),
      u32(Buffer.byteLength(v)),
      Buffer.from(v),
    );
  }
  return Buffer.concat(parts);
}

/** Decodes a name/value block; multiple values (NUL-separated) keep the first. */
export function decodeHeaderBlock(block: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const count = block.readUInt32BE(0);
  let at = 4;
  const next = (): string => {
    const len = block.readUInt32BE(at);
    const text = block.subarray(at + 4, at + 4 + len).toString('utf8');
    at += 4 + len;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    out.set(name.toLowerCase(), next().split('\0')[0] ?? '');
  }
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A control frame: version 3, type, flags, 24-bit length, payload. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head.writeUInt8(flags, 4);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head.writeUInt8(flags, 4);
  return Buffer.concat([head, data]);
}

/** A stored (uncompressed) deflate block, not the last one. */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/**
 * Compresses header blocks as one zlib stream of stored deflate blocks, each followed by the
 * empty stored block of a sync flush (inflaters such as Go's hand data out at that marker).
 * Stored blocks need no state beyond whether the stream header was sent.
 */
class HeaderCompressor {
  #started = false;
  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.#started) {
      this.#started = true;
      // CMF 0x78 (deflate, 32K window), FLG 0xbb (preset dictionary, check bits), dictionary id.
      parts.push(Buffer.from([0x78, 0xbb]), u32(adler32(spdyDictionary())));
    }
    for (let at = 0; at < block.length; at += 0xffff) {
      parts.push(storedBlock(block.subarray(at, at + 0xffff)));
    }
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/**
 * Decompresses the peer's header blocks. They share one zlib stream, flushed after each block;
 * inflating everything received so far and keeping the new tail avoids holding a stateful
 * inflater (blocks are small and few per connection).
 */
class HeaderDecompressor {
  readonly #dictionary = spdyDictionary();
  #input = Buffer.alloc(0);
  #outputLength = 0;
  decompress(compressed: Buffer): Buffer {
    this.#input = Buffer.concat([this.#input, compressed]);
    const all = inflateSync(this.#input, {
      dictionary: this.#dictionary,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const fresh = all.subarray(this.#outputLength);
    this.#outputLength = all.length;
    return fresh;
  }
}

/** One client-opened stream. `data` ends at the client's FIN or reset. */
export interface SpdyStream {
  readonly id: number;
  readonly headers: HeaderBlock;
  readonly data: AsyncIterable<Buffer>;
  write(chunk: Buffer): void;
  /** Half-closes this side (a FIN data frame). */
  close(): void;
}

interface StreamState extends SpdyStream {
  readonly queue: AsyncQueue<Buffer>;
  closed: boolean;
}

export interface SpdyServerOptions {
  /** Sends bytes to the client. */
  readonly write: (bytes: Buffer) => void;
  /** Called for each stream the client opens, after its SYN_REPLY is sent. */
  readonly onStream: (stream: SpdyStream) => void;
}

export class SpdyProtocolError extends Error {}

/** A SPDY/3.1 server session over a byte stream fed with `receive`. */
export class SpdyServer {
  readonly #o: SpdyServerOptions;
  readonly #streams = new Map<number, StreamState>();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  #pending = Buffer.alloc(0);
  #lastStreamId = 0;

  constructor(opts: SpdyServerOptions) {
    this.#o = opts;
  }

  /** Feeds bytes from the client; throws SpdyProtocolError on a malformed frame. */
  receive(bytes: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, bytes]);
    while (this.#pending.length >= 8) {
      const length = this.#pending.readUInt32BE(4) & 0xffffff;
      if (this.#pending.length < 8 + length) return;
      const frame = this.#pending.subarray(0, 8 + length);
      this.#pending = this.#pending.subarray(8 + length);
      this.#frame(frame);
    }
  }

  /** Ends every stream's input (the connection is gone) and tells the client, if it can hear. */
  shutdown(notify: boolean): void {
    if (notify) {
      const payload = Buffer.concat([u32(this.#lastStreamId), u32(0)]);
      this.#o.write(controlFrame(TYPE_GOAWAY, 0, payload));
    }
    for (const s of this.#streams.values()) s.queue.end();
    this.#streams.clear();
  }

  #frame(frame: Buffer): void {
    const flags = frame.readUInt8(4);
    const payload = frame.subarray(8);
    if ((frame.readUInt8(0) & 0x80) === 0) {
      this.#data(frame.readUInt32BE(0) & 0x7fffffff, flags, payload);
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== 3) throw new SpdyProtocolError(`unsupported SPDY version ${String(version)}`);
    const type = frame.readUInt16BE(2);
    if (type === TYPE_SYN_STREAM) this.#synStream(flags, payload);
    else if (type === TYPE_RST_STREAM) this.#endInput(payload.readUInt32BE(0) & 0x7fffffff, true);
    else if (type === TYPE_PING) this.#o.write(controlFrame(TYPE_PING, 0, payload));
    else if (type === TYPE_GOAWAY) this.shutdown(false);
    // SETTINGS, WINDOW_UPDATE and HEADERS change nothing here: spdystream keeps no flow control.
  }

  #data(id: number, flags: number, payload: Buffer): void {
    const s = this.#streams.get(id);
    if (!s) {
      this.#o.write(
        controlFrame(TYPE_RST_STREAM, 0, Buffer.concat([u32(id), u32(RST_INVALID_STREAM)])),
      );
      return;
    }
    if (payload.length > 0) s.queue.push(Buffer.from(payload));
    if ((flags & FLAG_FIN) !== 0) this.#endInput(id, false);
  }

  #endInput(id: number, reset: boolean): void {
    const s = this.#streams.get(id);
    if (!s) return;
    s.queue.end();
    if (reset) {
      s.closed = true;
      this.#streams.delete(id);
    }
  }

  #synStream(flags: number, payload: Buffer): void {
    const id = payload.readUInt32BE(0) & 0x7fffffff;
    const headers = decodeHeaderBlock(this.#decompressor.decompress(payload.subarray(10)));
    this.#lastStreamId = Math.max(this.#lastStreamId, id);
    const queue = new AsyncQueue<Buffer>();
    const state: StreamState = {
      id,
      headers,
      queue,
      data: queue,
      closed: false,
      write: (chunk) => {
        if (!state.closed && chunk.length > 0) this.#o.write(dataFrame(id, 0, chunk));
      },
      close: () => {
        if (state.closed) return;
        state.closed = true;
        this.#o.write(dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
      },
    };
    this.#streams.set(id, state);
    if ((flags & FLAG_FIN) !== 0) queue.end();
    const block = this.#compressor.compress(encodeHeaderBlock(new Map()));
    this.#o.write(controlFrame(TYPE_SYN_REPLY, 0, Buffer.concat([u32(id), block])));
    this.#o.onStream(state);
  }

  /** Resets a stream the server gives up on (e.g. a malformed port-forward request). */
  reset(id: number): void {
    const s = this.#streams.get(id);
    if (s) {
      s.closed = true;
      s.queue.end();
      this.#streams.delete(id);
    }
    this.#o.write(controlFrame(TYPE_RST_STREAM, 0, Buffer.concat([u32(id), u32(RST_CANCEL)])));
  }
}

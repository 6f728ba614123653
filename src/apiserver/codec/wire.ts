import { CodecError, CodecErrorCode } from './errors.ts';

/** Protobuf wire types. Groups (3, 4) are only ever skipped, as gogo-protobuf does. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  Bytes: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** A varint as its low and high 32 bits, both unsigned. */
export interface Varint {
  lo: number;
  hi: number;
}

export interface Tag {
  field: number;
  wireType: number;
}

function malformed(message: string): CodecError {
  return new CodecError(CodecErrorCode.Malformed, message);
}

/**
 * Reads protobuf wire data with the checks and limits of gogo-protobuf's generated Unmarshal
 * code (varints of at most 10 bytes, lengths bounded by the enclosing message, groups skipped
 * but never decoded), so data Go rejects is rejected here too. Every failure is a CodecError.
 */
export class WireReader {
  readonly #buf: Uint8Array;
  readonly #end: number;
  #pos: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  varint(): Varint {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 64) throw malformed('proto: integer overflow');
      if (this.#pos >= this.#end) throw malformed('unexpected EOF');
      const b = this.#buf[this.#pos++] ?? 0;
      const v = b & 0x7f;
      if (shift < 28) lo |= v << shift;
      else if (shift === 28) {
        lo |= v << 28;
        hi |= v >>> 4;
      } else hi |= v << (shift - 32);
      if (b < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
  }

  /** A field key; rejects what gogo rejects (field 0, a stray end-group). */
  tag(): Tag {
    const { lo, hi } = this.varint();
    const wireType = lo & 7;
    const field = (lo >>> 3) | (hi << 29) | 0;
    if (wireType === WireType.EndGroup) throw malformed('proto: wiretype end group for non-group');
    if (field <= 0) throw malformed(`proto: illegal tag ${field} (wire type ${wireType})`);
    return { field, wireType };
  }

  /** The bounds of a length-delimited payload, consuming it. */
  #delimited(): [start: number, end: number] {
    const { lo, hi } = this.varint();
    if (hi >= 0x80000000) throw malformed('proto: negative length found during unmarshaling');
    const length = hi * 0x100000000 + lo;
    if (length > this.#end - this.#pos) throw malformed('unexpected EOF');
    const start = this.#pos;
    this.#pos += length;
    return [start, this.#pos];
  }

  bytes(): Uint8Array {
    const [start, end] = this.#delimited();
    return this.#buf.subarray(start, end);
  }

  /** A reader over the next length-delimited payload (an embedded message). */
  sub(): WireReader {
    const [start, end] = this.#delimited();
    return new WireReader(this.#buf, start, end);
  }

  /** The next `n` bytes, little-endian, as a DataView. */
  fixed(n: 4 | 8): DataView {
    if (n > this.#end - this.#pos) throw malformed('unexpected EOF');
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#pos, n);
    this.#pos += n;
    return view;
  }

  /** Skips a field's value after its tag, as gogo's skipGenerated (groups nest). */
  skip(wireType: number): void {
    let depth = 0;
    for (let wt = wireType; ;) {
      if (wt === WireType.Varint) this.varint();
      else if (wt === WireType.Fixed64) this.fixed(8);
      else if (wt === WireType.Fixed32) this.fixed(4);
      else if (wt === WireType.Bytes) this.#delimited();
      else if (wt === WireType.StartGroup) depth++;
      else if (wt === WireType.EndGroup) {
        if (depth === 0) throw malformed('proto: unexpected end of group');
        depth--;
      } else throw malformed(`proto: illegal wireType ${wt}`);
      if (depth === 0) return;
      // Inside a group: read the next key raw (end-group is legal here).
      wt = this.varint().lo & 7;
    }
  }
}

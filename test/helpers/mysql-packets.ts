/**
 * MySQL client/server protocol pieces shared by the test servers (rogue-mysql.ts, mysql8-replay.ts):
 * packet headers, length-encoded integers and strings, a VAR_STRING utf8mb4 column definition, and
 * the OK, EOF and ERR packets, and a reader of client packets (the bench's canned database uses some
 * of them too). Written for this project from the protocol documentation.
 */

export function header(length: number, seq: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUIntLE(length, 0, 3);
  h[3] = seq & 0xff;
  return h;
}

export function packet(payload: Buffer, seq: number): Buffer {
  return Buffer.concat([header(payload.length, seq), payload]);
}

export function lenenc(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = 0xfc;
    b.writeUInt16LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(4);
  b[0] = 0xfd;
  b.writeUIntLE(n, 1, 3);
  return b;
}

export function lenencStr(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([lenenc(b.length), b]);
}

export function columnDefinition(name: string): Buffer {
  const tail = Buffer.alloc(13);
  tail[0] = 0x0c;
  // utf8mb4 (224). With utf8mb3 (33) mysql2 decodes through iconv-lite's cesu8, which builds each
  // string a character at a time: ~30 bytes of heap per byte received (see docs/security.md).
  tail.writeUInt16LE(224, 1);
  tail.writeUInt32LE(65535, 3);
  tail[7] = 0xfd; // VAR_STRING
  return Buffer.concat([
    lenencStr('def'),
    lenencStr(''),
    lenencStr(''),
    lenencStr(''),
    lenencStr(name),
    lenencStr(name),
    tail,
  ]);
}

/** Reassembles client packets from a byte stream, one at a time (a TLS upgrade takes the rest). */
export class PacketReader {
  private buf = Buffer.alloc(0);
  append(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
  }
  next(): { seq: number; payload: Buffer } | undefined {
    if (this.buf.length < 4) return undefined;
    const len = this.buf.readUIntLE(0, 3);
    if (this.buf.length < 4 + len) return undefined;
    const p = { seq: this.buf[3] ?? 0, payload: Buffer.from(this.buf.subarray(4, 4 + len)) };
    this.buf = this.buf.subarray(4 + len);
    return p;
  }
  /** Bytes not yet consumed (the start of a TLS handshake right after an SSLRequest). */
  rest(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }
}

export const OK = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]);
export const EOF = Buffer.from([0xfe, 0x00, 0x00, 0x02, 0x00]);

/** An ERR packet's payload (protocol 4.1: 0xff, error code, '#', SQLSTATE, message). */
export function errPayload(code: number, state: string, message: string): Buffer {
  const c = Buffer.alloc(2);
  c.writeUInt16LE(code, 0);
  return Buffer.concat([Buffer.from([0xff]), c, Buffer.from(`#${state}${message}`, 'utf8')]);
}

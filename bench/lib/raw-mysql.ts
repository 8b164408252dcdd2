/**
 * A minimal MySQL/MariaDB client for the transports benchmark, because mysql2 cannot pipeline (it
 * writes a command only after the previous one finished). Plain TCP, handshake v10 with
 * mysql_native_password (also after an auth switch), COM_QUERY in the text protocol, result sets
 * read to their EOF, rows decoded to strings. `pipeline()` writes every COM_QUERY packet at once,
 * before reading any answer, and reads the answers in order: each statement is a command of its
 * own, so one that fails gets its error packet and the server goes on with the next.
 *
 * Not for the exporter: no TLS, no other auth plugin, no multi-packet command (> 16 MiB), no LOCAL
 * INFILE, no CLIENT_MULTI_STATEMENTS. Written for this project from the protocol documentation.
 */
import { createHash } from 'node:crypto';
import { type Socket, connect } from 'node:net';
import { packet } from '../../test/helpers/mysql-packets.js';

export interface RawConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
  readonly connectTimeoutMs?: number;
}

export type RawResult =
  | { readonly kind: 'rows'; readonly columns: string[]; readonly rows: Array<Array<string | null>> }
  | { readonly kind: 'ok'; readonly affectedRows: number }
  | { readonly kind: 'error'; readonly errno: number; readonly sqlState: string; readonly message: string };

/** The connection failed or the server broke the protocol (not a statement's own error). */
export class RawProtocolError extends Error {
  override readonly name = 'RawProtocolError';
}

// Capability flags (protocol documentation, "Capabilities Flags").
const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_LONG_FLAG = 0x4;
const CLIENT_CONNECT_WITH_DB = 0x8;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_TRANSACTIONS = 0x2000;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;
const UTF8MB4_GENERAL_CI = 45;
const COM_QUERY = 0x03;
const COM_QUIT = 0x01;
const MAX_PAYLOAD = 0xffffff;

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** mysql_native_password: SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw))). */
export function nativePasswordToken(password: string, seed: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const mix = sha1(seed.subarray(0, 20), sha1(stage1));
  for (let i = 0; i < mix.length; i++) mix[i] = mix[i]! ^ stage1[i]!;
  return mix;
}

/** Reads a length-encoded integer at `pos`; `null` for the NULL marker (0xfb). */
function readLenenc(b: Buffer, pos: number): { value: number | null; next: number } {
  const first = b[pos]!;
  if (first < 0xfb) return { value: first, next: pos + 1 };
  if (first === 0xfb) return { value: null, next: pos + 1 };
  if (first === 0xfc) return { value: b.readUInt16LE(pos + 1), next: pos + 3 };
  if (first === 0xfd) return { value: b.readUIntLE(pos + 1, 3), next: pos + 4 };
  return { value: Number(b.readBigUInt64LE(pos + 1)), next: pos + 9 };
}

function readLenencString(b: Buffer, pos: number): { value: string | null; next: number } {
  const n = readLenenc(b, pos);
  if (n.value === null) return { value: null, next: n.next };
  return { value: b.toString('utf8', n.next, n.next + n.value), next: n.next + n.value };
}

function errorOf(p: Buffer): RawResult & { kind: 'error' } {
  const errno = p.readUInt16LE(1);
  // PROTOCOL_41: '#' and a five-character SQLSTATE before the message.
  const hasState = p[3] === 0x23;
  return {
    kind: 'error',
    errno,
    sqlState: hasState ? p.toString('latin1', 4, 9) : '',
    message: p.toString('utf8', hasState ? 9 : 3),
  };
}

const isEof = (p: Buffer) => p[0] === 0xfe && p.length < 9;

/** The answer to one COM_QUERY, fed packet by packet. */
class ResultReader {
  private columnsLeft = -1;
  private readonly columns: string[] = [];
  private readonly rows: Array<Array<string | null>> = [];
  private phase: 'first' | 'columns' | 'columns-eof' | 'rows' = 'first';

  /** The result once the last packet of this answer was fed, else undefined. */
  feed(p: Buffer): RawResult | undefined {
    switch (this.phase) {
      case 'first': {
        if (p[0] === 0x00) return { kind: 'ok', affectedRows: readLenenc(p, 1).value ?? 0 };
        if (p[0] === 0xff) return errorOf(p);
        if (p[0] === 0xfb) throw new RawProtocolError('LOCAL INFILE requested; not supported');
        this.columnsLeft = readLenenc(p, 0).value ?? 0;
        this.phase = 'columns';
        return undefined;
      }
      case 'columns': {
        // catalog, schema, table, org_table, name, ...
        let pos = 0;
        for (let i = 0; i < 4; i++) pos = readLenencString(p, pos).next;
        this.columns.push(readLenencString(p, pos).value ?? '');
        if (--this.columnsLeft === 0) this.phase = 'columns-eof';
        return undefined;
      }
      case 'columns-eof': {
        if (!isEof(p)) throw new RawProtocolError('expected EOF after the column definitions');
        this.phase = 'rows';
        return undefined;
      }
      case 'rows': {
        if (isEof(p)) return { kind: 'rows', columns: this.columns, rows: this.rows };
        // An error in the middle of a result set (the statement was killed, a row failed).
        if (p[0] === 0xff) return errorOf(p);
        const row: Array<string | null> = [];
        let pos = 0;
        for (let i = 0; i < this.columns.length; i++) {
          const v = readLenencString(p, pos);
          row.push(v.value);
          pos = v.next;
        }
        this.rows.push(row);
        return undefined;
      }
    }
  }
}

interface Pending {
  readonly reader: ResultReader;
  readonly resolve: (r: RawResult) => void;
  readonly reject: (e: Error) => void;
}

export class RawMysqlClient {
  private buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  /** Payload parts of a packet split at 16 MiB, waiting for their last part. */
  private partial: Buffer[] = [];
  private readonly pending: Pending[] = [];
  /** During the handshake: packets not yet asked for, and the one waiting for the next. */
  private handshaking = true;
  private readonly early: Array<{ p: Buffer; seq: number }> = [];
  private waiter:
    | { resolve: (x: { p: Buffer; seq: number }) => void; reject: (e: Error) => void }
    | undefined;
  private failure: Error | undefined;
  /** The server's connection id (from the handshake). */
  threadId = 0;
  serverVersion = '';

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(new RawProtocolError(`socket: ${err.message}`)));
    socket.on('close', () => this.fail(new RawProtocolError('connection closed by the server')));
  }

  static async connect(opts: RawConnectOptions): Promise<RawMysqlClient> {
    const socket = connect({ host: opts.host, port: opts.port, noDelay: true });
    const client = new RawMysqlClient(socket);
    const timer = setTimeout(
      () => client.fail(new RawProtocolError('connect timeout')),
      opts.connectTimeoutMs ?? 10_000,
    );
    try {
      await client.handshake(opts);
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return client;
  }

  private nextPacket(): Promise<{ p: Buffer; seq: number }> {
    const first = this.early.shift();
    if (first) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiter = { resolve, reject };
    });
  }

  private async handshake(opts: RawConnectOptions): Promise<void> {
    const greeting = await this.nextPacket();
    const g = greeting.p;
    if (g[0] === 0xff) throw new RawProtocolError(`server refused: ${errorOf(g).message}`);
    if (g[0] !== 10) throw new RawProtocolError(`unsupported protocol version ${g[0]}`);
    let pos = g.indexOf(0, 1);
    this.serverVersion = g.toString('latin1', 1, pos);
    pos++;
    this.threadId = g.readUInt32LE(pos);
    pos += 4;
    const seed1 = g.subarray(pos, pos + 8);
    pos += 9; // seed part 1, filler
    const capsLow = g.readUInt16LE(pos);
    pos += 2 + 1 + 2; // capabilities (low), charset, status
    const capsHigh = g.readUInt16LE(pos);
    pos += 2;
    const serverCaps = capsLow | (capsHigh << 16);
    const seedLen = g[pos]!;
    pos += 1 + 10; // auth data length, reserved (MariaDB's extended capabilities)
    const part2Len = Math.max(13, seedLen - 8);
    const seed2 = g.subarray(pos, pos + part2Len - 1); // without its trailing NUL
    if (!(serverCaps & CLIENT_PROTOCOL_41)) throw new RawProtocolError('server without PROTOCOL_41');
    // Whatever the server's default plugin (named next in the greeting), we answer for
    // mysql_native_password; a server that wants another one sends an auth switch, handled below.
    let seed = Buffer.concat([seed1, seed2]);
    const caps =
      CLIENT_LONG_PASSWORD |
      CLIENT_LONG_FLAG |
      CLIENT_PROTOCOL_41 |
      CLIENT_TRANSACTIONS |
      CLIENT_SECURE_CONNECTION |
      CLIENT_PLUGIN_AUTH |
      (opts.database ? CLIENT_CONNECT_WITH_DB : 0);
    const head = Buffer.alloc(32);
    head.writeUInt32LE(caps >>> 0, 0);
    head.writeUInt32LE(MAX_PAYLOAD, 4);
    head[8] = UTF8MB4_GENERAL_CI;
    const token = nativePasswordToken(opts.password, seed);
    const reply = Buffer.concat([
      head,
      Buffer.from(`${opts.user}\0`, 'utf8'),
      Buffer.from([token.length]),
      token,
      opts.database ? Buffer.from(`${opts.database}\0`, 'utf8') : Buffer.alloc(0),
      Buffer.from('mysql_native_password\0', 'latin1'),
    ]);
    let seq = greeting.seq + 1;
    this.socket.write(packet(reply, seq));
    for (;;) {
      const answer = await this.nextPacket();
      const a = answer.p;
      if (a[0] === 0x00) {
        this.handshaking = false;
        return;
      }
      if (a[0] === 0xff) throw new RawProtocolError(`authentication failed: ${errorOf(a).message}`);
      if (a[0] === 0xfe) {
        // Auth switch: plugin name, then the new seed (NUL-terminated).
        const end = a.indexOf(0, 1);
        const name = a.toString('latin1', 1, end);
        if (name !== 'mysql_native_password')
          throw new RawProtocolError(`auth plugin ${name} is not supported by this client`);
        seed = Buffer.from(a.subarray(end + 1, end + 21));
        seq = answer.seq + 1;
        this.socket.write(packet(nativePasswordToken(opts.password, seed), seq));
        continue;
      }
      throw new RawProtocolError(`unexpected packet 0x${a[0]?.toString(16)} during authentication`);
    }
  }

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    while (this.buf.length - pos >= 4) {
      const len = this.buf.readUIntLE(pos, 3);
      if (this.buf.length - pos - 4 < len) break;
      const seq = this.buf[pos + 3]!;
      const payload = this.buf.subarray(pos + 4, pos + 4 + len);
      pos += 4 + len;
      if (len === MAX_PAYLOAD) {
        this.partial.push(payload);
        continue;
      }
      const whole = this.partial.length > 0 ? Buffer.concat([...this.partial, payload]) : payload;
      this.partial = [];
      try {
        this.dispatch(whole, seq);
      } catch (err) {
        this.fail(err instanceof Error ? err : new RawProtocolError(String(err)));
        this.socket.destroy();
        return;
      }
    }
    this.buf = this.buf.subarray(pos);
  }

  private dispatch(p: Buffer, seq: number): void {
    if (this.handshaking) {
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w.resolve({ p, seq });
      else this.early.push({ p, seq });
      return;
    }
    const head = this.pending[0];
    if (!head) throw new RawProtocolError(`unsolicited packet 0x${p[0]?.toString(16)}`);
    const r = head.reader.feed(p);
    if (r !== undefined) {
      this.pending.shift();
      head.resolve(r);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.waiter?.reject(err);
    this.waiter = undefined;
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  /**
   * Every statement as a COM_QUERY of its own, all written in one write before any answer is read;
   * resolves to one result per statement, in order. A statement's error is its result; the
   * promise rejects only when the connection fails.
   */
  pipeline(statements: readonly string[]): Promise<RawResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    const packets: Buffer[] = [];
    const results: Array<Promise<RawResult>> = [];
    for (const sql of statements) {
      const payload = Buffer.concat([Buffer.from([COM_QUERY]), Buffer.from(sql, 'utf8')]);
      if (payload.length >= MAX_PAYLOAD) throw new RawProtocolError('statement too long for this client');
      packets.push(packet(payload, 0));
      results.push(
        new Promise<RawResult>((resolve, reject) =>
          this.pending.push({ reader: new ResultReader(), resolve, reject }),
        ),
      );
    }
    this.socket.write(Buffer.concat(packets));
    return Promise.all(results);
  }

  async query(sql: string): Promise<RawResult> {
    const [r] = await this.pipeline([sql]);
    return r!;
  }

  /** COM_QUIT, then waits for the server to close the connection. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((r) => this.socket.once('close', () => r()));
    this.socket.end(packet(Buffer.from([COM_QUIT]), 0));
    const timer = setTimeout(() => this.socket.destroy(), 5000);
    await closed;
    clearTimeout(timer);
  }
}

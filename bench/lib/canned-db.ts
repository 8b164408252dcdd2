/**
 * A "canned database": a MySQL-protocol server that answers from a recording of a real one, so that
 * the fleet benchmark can run thousands of targets without paying the database's own CPU (on a small
 * machine MariaDB burns about as much per scrape as the exporter does).
 *
 * Record: `record(upstream, drive)` starts a TCP relay in front of a real server and hands its port
 * to `drive`, which runs real traffic through it (in the benchmark and its test: our exporter's own
 * scrape, so the statements are exactly the ones it sends) and closes its connections before it
 * returns. The relay keeps, byte for byte, the server greeting, the auth switch request if the
 * server sent one, the OK that ended authentication and, per COM_QUERY text, every byte the server
 * sent back until the client's next command (a MySQL client sends a command only after the answer
 * to the previous one: the exporter's batch and mysql2 never pipeline). A text seen twice keeps its
 * last answer.
 *
 * Replay: `CannedDb.start(recording, { ports })` listens on `ports` ephemeral 127.0.0.1 ports (each a
 * distinct target). Every connection gets the recorded greeting (with a connection id of its own),
 * the recorded auth switch if there was one, then the recorded OK whatever the password; a COM_QUERY
 * with a recorded text gets the recorded bytes in one write (sequence ids restart at each command, so
 * they are valid as recorded); `KILL QUERY n` gets OK, an unrecorded `SELECT 1` a one-row result, any
 * other text error 1064 (ER_PARSE_ERROR) and the connection stays usable; COM_PING gets OK, COM_QUIT
 * closes, any other command gets error 1047 (ER_UNKNOWN_COM_ERROR). Everything is encoded before the
 * first client connects: a statement costs a Map lookup and one write. No TLS: a client that asks for
 * it (SSLRequest) is disconnected, and the greeting never offers it. Values are frozen: every scrape of
 * a canned target sees the recorded counters.
 *
 * Written for this project from the protocol documentation.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import {
  EOF,
  OK,
  columnDefinition,
  errPayload,
  lenenc,
  lenencStr,
  packet,
} from '../../test/helpers/mysql-packets.js';

const CLIENT_SSL = 0x800;
const COM_QUIT = 0x01;
const COM_QUERY = 0x03;
const COM_PING = 0x0e;

export interface Recording {
  /** The server's first packet, header included. */
  readonly greeting: Buffer;
  /** The AuthSwitchRequest packet (header included), when the recorded server sent one. */
  readonly authSwitch?: Buffer;
  /** The packet that ended authentication (OK), header included. */
  readonly authOk: Buffer;
  /** COM_QUERY text (utf8) to the server's whole answer, headers included. */
  readonly answers: Map<string, Buffer>;
}

/** A recording as JSON (for IPC or a file): base64 bytes. */
export interface RecordingJson {
  readonly greeting: string;
  readonly authSwitch?: string;
  readonly authOk: string;
  readonly answers: Array<[string, string]>;
}

export function recordingToJson(r: Recording): RecordingJson {
  return {
    greeting: r.greeting.toString('base64'),
    ...(r.authSwitch ? { authSwitch: r.authSwitch.toString('base64') } : {}),
    authOk: r.authOk.toString('base64'),
    answers: [...r.answers].map(([k, v]) => [k, v.toString('base64')]),
  };
}

export function recordingFromJson(j: RecordingJson): Recording {
  return {
    greeting: Buffer.from(j.greeting, 'base64'),
    ...(j.authSwitch ? { authSwitch: Buffer.from(j.authSwitch, 'base64') } : {}),
    authOk: Buffer.from(j.authOk, 'base64'),
    answers: new Map(j.answers.map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  };
}

/** The recording could not be made (TLS, failed authentication, no connection). */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
}

/** Splits a byte stream into MySQL packets (header included); keeps a partial packet for later. */
class PacketSplitter {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer, on: (whole: Buffer) => void): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    while (this.buf.length - pos >= 4) {
      const len = this.buf.readUIntLE(pos, 3);
      if (this.buf.length - pos - 4 < len) break;
      on(this.buf.subarray(pos, pos + 4 + len));
      pos += 4 + len;
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }
}

/** What one relayed connection taught us. */
interface ConnectionLog {
  greeting?: Buffer;
  authSwitch?: Buffer;
  authOk?: Buffer;
  authError?: string;
  tls?: boolean;
  readonly answers: Array<[string, Buffer]>;
}

/** Relays one client connection to the upstream server and logs what it needs. */
function relay(client: Socket, upstream: { host: string; port: number }, out: ConnectionLog): Promise<void> {
  const server = connect({ host: upstream.host, port: upstream.port, noDelay: true });
  const fromServer = new PacketSplitter();
  const fromClient = new PacketSplitter();
  // Connection phase: 'greeting' until the server's first packet, then 'auth' until OK or error.
  let phase: 'greeting' | 'auth' | 'command' = 'greeting';
  let current: { text: string | undefined; chunks: Buffer[] } | undefined;
  const finish = () => {
    if (current?.text !== undefined && current.chunks.length > 0)
      out.answers.push([current.text, Buffer.concat(current.chunks)]);
    current = undefined;
  };
  server.on('data', (chunk: Buffer) => {
    client.write(chunk);
    if (phase === 'command') {
      current?.chunks.push(Buffer.from(chunk));
      return;
    }
    fromServer.push(chunk, (p) => {
      const copy = Buffer.from(p);
      if (phase === 'greeting') {
        out.greeting = copy;
        phase = 'auth';
      } else if (phase === 'auth') {
        if (copy[4] === 0xfe) out.authSwitch = copy;
        else if (copy[4] === 0x00) {
          out.authOk = copy;
          phase = 'command';
        } else if (copy[4] === 0xff) out.authError = copy.toString('utf8', 13);
      }
    });
  });
  client.on('data', (chunk: Buffer) => {
    server.write(chunk);
    fromClient.push(chunk, (p) => {
      if (phase !== 'command') {
        // The handshake response; a 32-byte one with CLIENT_SSL is an SSLRequest.
        if (p[3] === 1 && p.length === 36 && (p.readUInt32LE(4) & CLIENT_SSL) !== 0) out.tls = true;
        return;
      }
      finish();
      current = { text: p[4] === COM_QUERY ? p.toString('utf8', 5) : undefined, chunks: [] };
    });
  });
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      if (--open > 0) return;
      finish();
      resolve();
    };
    for (const [s, other] of [
      [client, server],
      [server, client],
    ] as const) {
      s.on('error', () => other.destroy());
      s.on('end', () => other.end());
      s.once('close', () => {
        other.destroy();
        closed();
      });
    }
  });
}

/**
 * Records a real server's answers to the traffic `drive` sends through a relay (whose port it gets).
 * `drive` must close its connections before it returns (stop the exporter): the last answer of a
 * connection is complete only once the client sent its next command or went away. Connections still
 * open then are closed after `settleMs`.
 */
export async function record<T>(
  upstream: { host: string; port: number },
  drive: (port: number) => Promise<T>,
  settleMs = 5000,
): Promise<{ recording: Recording; result: T; statements: string[] }> {
  const logs: ConnectionLog[] = [];
  const done: Array<Promise<void>> = [];
  const sockets = new Set<Socket>();
  const srv = createServer({ noDelay: true }, (client) => {
    const log: ConnectionLog = { answers: [] };
    logs.push(log);
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    done.push(relay(client, upstream, log));
  });
  await new Promise<void>((r, j) => {
    srv.once('error', j);
    srv.listen(0, '127.0.0.1', () => r());
  });
  let result: T;
  try {
    result = await drive((srv.address() as AddressInfo).port);
    const settle = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, settleMs);
    await Promise.all(done);
    clearTimeout(settle);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
  if (logs.some((l) => l.tls)) throw new RecordingError('the client asked for TLS; record without TLS');
  const first = logs.find((l) => l.greeting && l.authOk);
  if (!first) {
    const why = logs.find((l) => l.authError)?.authError;
    throw new RecordingError(`no connection authenticated through the relay${why ? `: ${why}` : ''}`);
  }
  const answers = new Map<string, Buffer>();
  const statements: string[] = [];
  for (const l of logs)
    for (const [text, bytes] of l.answers) {
      if (!answers.has(text)) statements.push(text);
      answers.set(text, bytes);
    }
  const recording: Recording = {
    greeting: first.greeting!,
    ...(first.authSwitch ? { authSwitch: first.authSwitch } : {}),
    authOk: first.authOk!,
    answers,
  };
  return { recording, result, statements };
}

export interface CannedStats {
  connections: number;
  open: number;
  peakOpen: number;
  /** Client chunks that follow server data (or open the connection): requests, as delay-proxy.ts. */
  flights: number;
  queries: number;
  /** COM_QUERY texts that were not recorded (answered with error 1064). */
  unknown: number;
  /** The first few unknown texts, for diagnostics. */
  readonly unknownTexts: string[];
}

const errPacket = (seq: number, code: number, state: string, message: string): Buffer =>
  packet(errPayload(code, state, message), seq);

/** The greeting, made safe to replay: no TLS offered; where its connection id sits. */
function prepareGreeting(g: Buffer): { greeting: Buffer; idAt: number } {
  const out = Buffer.from(g);
  if (out[4] !== 10) throw new RecordingError(`recorded greeting has protocol ${out[4]}, not 10`);
  const versionEnd = out.indexOf(0, 5);
  const idAt = versionEnd + 1;
  // After the id: 8 bytes of seed, a filler, then the capabilities' low 16 bits.
  const capsAt = idAt + 4 + 8 + 1;
  out.writeUInt16LE(out.readUInt16LE(capsAt) & ~CLIENT_SSL, capsAt);
  return { greeting: out, idAt };
}

const OK_1 = packet(OK, 1);
const MARIADB_CLIENT_EXTENDED_METADATA = 0x8;
/** `SELECT 1` as one VAR_STRING column; with MariaDB's extended metadata, an empty block of it. */
function selectOne(extendedMetadata: boolean): Buffer {
  const def = columnDefinition('1');
  const fixed = def.length - 13;
  const column = extendedMetadata
    ? Buffer.concat([def.subarray(0, fixed), lenenc(0), def.subarray(fixed)])
    : def;
  return Buffer.concat([
    packet(lenenc(1), 1),
    packet(column, 2),
    packet(EOF, 3),
    packet(lenencStr('1'), 4),
    packet(EOF, 5),
  ]);
}
const SELECT_1 = [selectOne(false), selectOne(true)] as const;

/**
 * Whether a handshake response (header included) took MariaDB's extended column metadata: a client
 * without CLIENT_MYSQL (bit 0) puts MariaDB's capabilities in the last 4 bytes of the filler.
 */
function extendedMetadata(p: Buffer): boolean {
  return (
    p.length >= 36 &&
    (p.readUInt32LE(4) & 1) === 0 &&
    (p.readUInt32LE(32) & MARIADB_CLIENT_EXTENDED_METADATA) !== 0
  );
}
const UNKNOWN_COMMAND = errPacket(1, 1047, '08S01', 'Unknown command');
const KILL_QUERY = /^KILL QUERY \d+$/i;

export interface CannedDbOptions {
  readonly ports?: number;
  readonly host?: string;
}

export class CannedDb {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly greeting: Buffer;
  private readonly idAt: number;
  private nextId = 1;
  private readonly st: CannedStats = {
    connections: 0,
    open: 0,
    peakOpen: 0,
    flights: 0,
    queries: 0,
    unknown: 0,
    unknownTexts: [],
  };
  readonly ports: number[] = [];

  private constructor(private readonly rec: Recording) {
    const g = prepareGreeting(rec.greeting);
    this.greeting = g.greeting;
    this.idAt = g.idAt;
  }

  static async start(rec: Recording, opts: CannedDbOptions = {}): Promise<CannedDb> {
    const db = new CannedDb(rec);
    try {
      for (let i = 0; i < (opts.ports ?? 1); i++) await db.listen(opts.host ?? '127.0.0.1');
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  stats(): CannedStats {
    return { ...this.st, unknownTexts: [...this.st.unknownTexts] };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private listen(host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (s) => this.accept(s));
      server.once('error', reject);
      server.listen(0, host, 2048, () => {
        this.servers.push(server);
        this.ports.push((server.address() as AddressInfo).port);
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    const st = this.st;
    st.connections++;
    st.open++;
    st.peakOpen = Math.max(st.peakOpen, st.open);
    this.sockets.add(socket);
    socket.once('close', () => {
      st.open--;
      this.sockets.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    const greeting = Buffer.from(this.greeting);
    greeting.writeUInt32LE(this.nextId, this.idAt);
    this.nextId = (this.nextId % 0x7fffffff) + 1;
    let phase: 'auth' | 'switch' | 'command' = 'auth';
    let extended = false;
    let lastFromClient = false;
    const split = new PacketSplitter();
    const send = (bytes: Buffer) => {
      lastFromClient = false;
      socket.write(bytes);
    };
    send(greeting);
    socket.on('data', (chunk: Buffer) => {
      if (!lastFromClient) st.flights++;
      lastFromClient = true;
      split.push(chunk, (p) => {
        if (socket.destroyed) return;
        if (phase === 'auth') {
          if (p.length === 36 && (p.readUInt32LE(4) & CLIENT_SSL) !== 0) {
            socket.destroy();
            return;
          }
          extended = extendedMetadata(p);
          if (this.rec.authSwitch) {
            phase = 'switch';
            send(this.rec.authSwitch);
            return;
          }
          phase = 'command';
          send(this.rec.authOk);
          return;
        }
        if (phase === 'switch') {
          phase = 'command';
          send(this.rec.authOk);
          return;
        }
        const cmd = p[4];
        if (cmd === COM_QUERY) {
          st.queries++;
          send(this.answer(p.toString('utf8', 5), extended));
        } else if (cmd === COM_PING) send(OK_1);
        else if (cmd === COM_QUIT) socket.end();
        else send(UNKNOWN_COMMAND);
      });
    });
  }

  private answer(text: string, extended: boolean): Buffer {
    const recorded = this.rec.answers.get(text);
    if (recorded) return recorded;
    if (KILL_QUERY.test(text)) return OK_1;
    if (text === 'SELECT 1') return SELECT_1[extended ? 1 : 0];
    const st = this.st;
    st.unknown++;
    if (st.unknownTexts.length < 5) st.unknownTexts.push(text.slice(0, 200));
    return errPacket(
      1,
      1064,
      '42000',
      'You have an error in your SQL syntax; this statement is not in the canned database',
    );
  }
}

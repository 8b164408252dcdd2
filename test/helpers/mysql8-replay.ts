/**
 * A MySQL 8.4-shaped protocol server for tests (node:net / node:tls, written for this project; the
 * packet helpers follow test/helpers/rogue-mysql.ts). No MySQL 8 server can run on the CI machine,
 * so this replays captured MySQL 8.x result sets (test/fixtures, provenance in its README) through the
 * real wire protocol, so that mysql2 and the exporter run every MySQL-8-only path end to end. It
 * shares its packet codec with the rogue server (mysql-packets.ts).
 *
 * What it does, as MySQL 8.4 does it:
 * - Greeting: protocol 10, the configured version (default `8.4.3`), `caching_sha2_password` as the
 *   default plugin, CLIENT_SSL when it has a certificate.
 * - TLS: an SSLRequest upgrades the socket (node:tls, the test CA's server certificate).
 * - `caching_sha2_password`: a client that answers with another plugin gets an AuthSwitchRequest. Fast
 *   authentication succeeds (0x01 0x03) only when the server's cache holds the account, which it does
 *   after one successful full authentication (or from the start with `warmCache`). Full
 *   authentication (0x01 0x04) takes the password in clear over TLS, or RSA-OAEP encrypted to the
 *   server key over plain TCP; a client may ask for that key (0x02) and gets it as PEM.
 * - `mysql_clear_password` accounts (an RDS IAM user): AuthSwitchRequest to it, the password is
 *   checked by `verify`.
 * - COM_QUERY: session `SET` statements get OK; anything else is answered from the replay table or
 *   gets error 1064 (ER_PARSE_ERROR, SQLSTATE 42000), so a statement without a capture shows up.
 *
 * Every statement, every authentication path and every clear-text password received are recorded.
 */
import { constants, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { type Server, type Socket, createServer } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { QueryResult } from '../../src/model/rows.js';
import {
  EOF,
  OK,
  PacketReader,
  columnDefinition,
  errPayload,
  header,
  lenenc,
  lenencStr,
} from './mysql-packets.js';

const CLIENT = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_RESULTS: 0x20000,
  PLUGIN_AUTH: 0x80000,
  CONNECT_ATTRS: 0x100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
} as const;

export type AuthPath =
  | 'fast'
  | 'full-tls'
  | 'full-rsa'
  | 'public-key-sent'
  | 'cleartext-tls'
  | 'cleartext-plain'
  | 'denied';

export interface ReplayAccount {
  readonly user: string;
  /** For caching_sha2_password. */
  readonly password?: string;
  readonly plugin: 'caching_sha2_password' | 'mysql_clear_password';
  /** For mysql_clear_password: accepts or refuses what the client sent. */
  readonly verify?: (password: string) => boolean;
}

/** One replayed statement: a pattern on the whitespace-collapsed SQL, and its captured result. */
export interface ReplayAnswer {
  readonly match: RegExp;
  readonly result: () => QueryResult;
  /** Where the rows come from (fixture file), for test messages. */
  readonly source: string;
}

export interface ReplayOptions {
  readonly version?: string;
  readonly versionComment?: string;
  readonly accounts: readonly ReplayAccount[];
  readonly answers: readonly ReplayAnswer[];
  /** PEM server certificate and key: the greeting offers TLS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The caching_sha2 cache holds every account from the start (fast authentication works at once). */
  readonly warmCache?: boolean;
}

export interface ReplayStatement {
  readonly sql: string;
  readonly answered: boolean;
}

export interface Mysql8Replay {
  readonly port: number;
  /** The server's RSA public key (PEM, SPKI), as sent to clients that ask for it. */
  readonly publicKeyPem: string;
  readonly statements: ReplayStatement[];
  readonly authLog: Array<{ readonly user: string; readonly path: AuthPath }>;
  /** Clear-text passwords received (over any channel), for leak checks. */
  readonly cleartextReceived: string[];
  /** Forget cached accounts (as after FLUSH PRIVILEGES or a restart). */
  flushCache(): void;
  open(): number;
  close(): Promise<void>;
}

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i % b.length] ?? 0);
  return out;
}

function pump(reader: PacketReader, c: { upgrading: boolean }, on: (seq: number, p: Buffer) => void) {
  for (let p = reader.next(); p && !c.upgrading; p = reader.next()) on(p.seq, p.payload);
}

interface HandshakeResponse {
  readonly flags: number;
  readonly user: string;
  readonly authData: Buffer;
  readonly plugin: string;
}

function parseHandshakeResponse(p: Buffer): HandshakeResponse {
  const flags = p.readUInt32LE(0);
  let o = 32;
  const nul = (): string => {
    const end = p.indexOf(0, o);
    const s = p.subarray(o, end < 0 ? p.length : end).toString('utf8');
    o = end < 0 ? p.length : end + 1;
    return s;
  };
  const user = nul();
  let authData: Buffer;
  if (flags & CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    const n = p[o] ?? 0; // our scrambles are < 251 bytes
    authData = p.subarray(o + 1, o + 1 + n);
    o += 1 + n;
  } else {
    const n = p[o] ?? 0;
    authData = p.subarray(o + 1, o + 1 + n);
    o += 1 + n;
  }
  if (flags & CLIENT.CONNECT_WITH_DB) nul();
  const plugin = flags & CLIENT.PLUGIN_AUTH ? nul() : 'mysql_native_password';
  return { flags, user, authData: Buffer.from(authData), plugin };
}

/** The whitespace-collapsed statement the replay table is matched against. */
export function normalizeSql(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

interface Conn {
  socket: Socket;
  readonly raw: Socket;
  readonly nonce: Buffer;
  seq: number;
  phase: 'handshake' | 'auth' | 'command';
  tls: boolean;
  upgrading: boolean;
  reader: PacketReader;
  account?: ReplayAccount;
  step: 'scramble' | 'full' | 'clear';
}

export async function startMysql8Replay(opts: ReplayOptions): Promise<Mysql8Replay> {
  const version = opts.version ?? '8.4.3';
  const comment = opts.versionComment ?? 'MySQL Community Server - GPL';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const secureContext = opts.tls
    ? createSecureContext({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' })
    : undefined;
  const statements: ReplayStatement[] = [];
  const authLog: Array<{ user: string; path: AuthPath }> = [];
  const cleartextReceived: string[] = [];
  const cache = new Set<string>(opts.warmCache ? opts.accounts.map((a) => a.user) : []);
  const sockets = new Set<Socket>();
  let ids = 0;

  const caps =
    CLIENT.LONG_PASSWORD |
    CLIENT.FOUND_ROWS |
    CLIENT.LONG_FLAG |
    CLIENT.CONNECT_WITH_DB |
    CLIENT.PROTOCOL_41 |
    CLIENT.TRANSACTIONS |
    CLIENT.SECURE_CONNECTION |
    CLIENT.MULTI_RESULTS |
    CLIENT.PLUGIN_AUTH |
    (secureContext ? CLIENT.SSL : 0);

  const send = (c: Conn, payload: Buffer) => {
    c.socket.write(Buffer.concat([header(payload.length, c.seq), payload]));
    c.seq = (c.seq + 1) & 0xff;
  };

  const greeting = (nonce: Buffer, id: number): Buffer => {
    const capBuf = Buffer.alloc(4);
    capBuf.writeUInt32LE(caps >>> 0, 0);
    const idBuf = Buffer.alloc(4);
    idBuf.writeUInt32LE(id, 0);
    return Buffer.concat([
      Buffer.from([10]),
      Buffer.from(`${version}\0`, 'utf8'),
      idBuf,
      nonce.subarray(0, 8),
      Buffer.from([0]),
      capBuf.subarray(0, 2),
      Buffer.from([0xff]), // utf8mb4_0900_ai_ci
      Buffer.from([0x02, 0x00]),
      capBuf.subarray(2, 4),
      Buffer.from([21]),
      Buffer.alloc(10),
      nonce.subarray(8, 20),
      Buffer.from([0]),
      Buffer.from('caching_sha2_password\0', 'utf8'),
    ]);
  };

  const deny = (c: Conn, user: string) => {
    authLog.push({ user, path: 'denied' });
    send(c, errPayload(1045, '28000', `Access denied for user '${user}'@'localhost'`));
    c.socket.end();
  };

  const accept = (c: Conn, path: AuthPath) => {
    authLog.push({ user: c.account?.user ?? '', path });
    send(c, OK);
    c.phase = 'command';
  };

  const checkScramble = (account: ReplayAccount, nonce: Buffer, scramble: Buffer): boolean => {
    const pw = account.password ?? '';
    if (pw === '') return scramble.length === 0;
    if (scramble.length !== 32) return false;
    const stage2 = sha256(sha256(Buffer.from(pw, 'utf8')));
    const stage1 = xor(scramble, sha256(stage2, nonce));
    return sha256(stage1).equals(stage2);
  };

  const onScramble = (c: Conn, account: ReplayAccount, scramble: Buffer) => {
    if (cache.has(account.user)) {
      if (!checkScramble(account, c.nonce, scramble)) return deny(c, account.user);
      send(c, Buffer.from([0x01, 0x03]));
      return accept(c, 'fast');
    }
    c.step = 'full';
    send(c, Buffer.from([0x01, 0x04]));
  };

  const onFull = (c: Conn, account: ReplayAccount, data: Buffer) => {
    if (data.length === 1 && data[0] === 0x02) {
      authLog.push({ user: account.user, path: 'public-key-sent' });
      send(c, Buffer.concat([Buffer.from([0x01]), Buffer.from(publicKeyPem, 'utf8')]));
      return;
    }
    let clear: string | undefined;
    let path: AuthPath = 'full-tls';
    if (c.tls) clear = data.toString('utf8').replace(/\0$/, '');
    else {
      path = 'full-rsa';
      try {
        const x = privateDecrypt(
          { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
          data,
        );
        clear = xor(x, c.nonce).toString('utf8').replace(/\0$/, '');
      } catch {
        clear = undefined; // MySQL refuses a clear password over plain TCP
      }
    }
    if (clear === undefined || clear !== (account.password ?? '')) return deny(c, account.user);
    cache.add(account.user);
    accept(c, path);
  };

  const onClear = (c: Conn, account: ReplayAccount, data: Buffer) => {
    const pw = data.toString('utf8').replace(/\0$/, '');
    cleartextReceived.push(pw);
    if (!account.verify?.(pw)) return deny(c, account.user);
    accept(c, c.tls ? 'cleartext-tls' : 'cleartext-plain');
  };

  const startTls = (c: Conn) => {
    if (!secureContext) return;
    c.upgrading = true;
    const raw = c.raw;
    raw.removeAllListeners('data');
    // The ClientHello may have arrived with the SSLRequest: a JS stream replays those bytes first.
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
    });
    carrier.push(c.reader.rest());
    raw.on('data', (d: Buffer) => carrier.push(d));
    raw.on('end', () => carrier.push(null));
    raw.on('close', () => carrier.destroy());
    const tls = new TLSSocket(carrier, { isServer: true, secureContext });
    tls.on('error', () => raw.destroy());
    c.socket = tls as unknown as Socket;
    c.tls = true;
    const reader = new PacketReader();
    const state = { upgrading: false };
    tls.on('data', (d: Buffer) => {
      reader.append(d);
      pump(reader, state, (seq, p) => onPacket(c, seq, p));
    });
  };

  const switchTo = (c: Conn, plugin: string, data: Buffer) => {
    send(c, Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${plugin}\0`, 'utf8'), data]));
  };

  const onHandshake = (c: Conn, payload: Buffer) => {
    // SSLRequest: 32 bytes, CLIENT_SSL set.
    if (payload.length === 32 && (payload.readUInt32LE(0) & CLIENT.SSL) !== 0) {
      startTls(c);
      return;
    }
    const hs = parseHandshakeResponse(payload);
    const account = opts.accounts.find((a) => a.user === hs.user);
    if (!account) return deny(c, hs.user);
    c.account = account;
    c.phase = 'auth';
    if (account.plugin === 'mysql_clear_password') {
      c.step = 'clear';
      return switchTo(c, 'mysql_clear_password', Buffer.alloc(0));
    }
    if (hs.plugin === 'caching_sha2_password') return onScramble(c, account, hs.authData);
    c.step = 'scramble';
    switchTo(c, 'caching_sha2_password', Buffer.concat([c.nonce, Buffer.from([0])]));
  };

  const onAuth = (c: Conn, payload: Buffer) => {
    const account = c.account;
    if (!account) return;
    if (c.step === 'clear') return onClear(c, account, payload);
    if (c.step === 'scramble') return onScramble(c, account, payload);
    onFull(c, account, payload);
  };

  /** EOF/OK with SERVER_MORE_RESULTS_EXISTS when more result sets of one multi-statement follow. */
  const more = (packet: Buffer, at: number): Buffer => {
    const b = Buffer.from(packet);
    b.writeUInt16LE(b.readUInt16LE(at) | 0x0008, at);
    return b;
  };

  const resultSet = (c: Conn, r: QueryResult, moreResults = false) => {
    send(c, lenenc(r.columns.length));
    for (const col of r.columns) send(c, columnDefinition(col));
    send(c, EOF);
    for (const row of r.rows) {
      const cells = r.columns.map((col) => {
        const v = row[col];
        return v === null || v === undefined ? Buffer.from([0xfb]) : lenencStr(String(v));
      });
      send(c, Buffer.concat(cells));
    }
    send(c, moreResults ? more(EOF, 3) : EOF);
  };

  /**
   * A COM_QUERY may carry several statements (the exporter batches its own, separated by ";\n"):
   * each is answered in turn, all but the last flagged "more results"; an error ends the batch, as
   * on a real server.
   */
  const onQuery = (c: Conn, sql: string) => {
    const parts = sql.split(/;\n/);
    for (const [i, part] of parts.entries()) {
      if (!onStatement(c, part, i < parts.length - 1)) return;
    }
  };

  /** Answers one statement; false when it failed. */
  const onStatement = (c: Conn, sql: string, moreResults: boolean): boolean => {
    const norm = normalizeSql(sql);
    if (/^(SET|KILL QUERY) /i.test(norm)) {
      statements.push({ sql: norm, answered: true });
      send(c, moreResults ? more(OK, 3) : OK);
      return true;
    }
    if (/^SELECT @@version_comment AS c$/i.test(norm)) {
      statements.push({ sql: norm, answered: true });
      resultSet(c, { columns: ['c'], rows: [{ c: comment }] }, moreResults);
      return true;
    }
    if (/^SELECT @@version AS version, @@version_comment AS version_comment$/i.test(norm)) {
      statements.push({ sql: norm, answered: true });
      resultSet(
        c,
        { columns: ['version', 'version_comment'], rows: [{ version, version_comment: comment }] },
        moreResults,
      );
      return true;
    }
    const hit = opts.answers.find((a) => a.match.test(norm));
    statements.push({ sql: norm, answered: hit !== undefined });
    if (!hit) {
      send(
        c,
        errPayload(
          1064,
          '42000',
          'You have an error in your SQL syntax; the replay server has no capture for this statement',
        ),
      );
      return false;
    }
    resultSet(c, hit.result(), moreResults);
    return true;
  };

  const onPacket = (c: Conn, seq: number, payload: Buffer) => {
    c.seq = (seq + 1) & 0xff;
    if (c.phase === 'handshake') return onHandshake(c, payload);
    if (c.phase === 'auth') return onAuth(c, payload);
    c.seq = 1;
    const cmd = payload[0];
    if (cmd === 0x01) {
      c.socket.end();
      return;
    }
    if (cmd === 0x03) return onQuery(c, payload.subarray(1).toString('utf8'));
    if (cmd === 0x0e) return send(c, OK); // COM_PING
    send(c, errPayload(1047, '08S01', 'Unknown command'));
  };

  const server: Server = createServer((socket) => {
    ids++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const nonce = Buffer.from(Array.from({ length: 20 }, (_, i) => 0x21 + ((i * 13 + ids * 7) % 90)));
    const reader = new PacketReader();
    const c: Conn = {
      socket,
      raw: socket,
      nonce,
      seq: 0,
      phase: 'handshake',
      tls: false,
      upgrading: false,
      reader,
      step: 'scramble',
    };
    socket.on('data', (d: Buffer) => {
      reader.append(d);
      pump(reader, c, (seq, p) => onPacket(c, seq, p));
    });
    send(c, greeting(nonce, ids));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    publicKeyPem,
    statements,
    authLog,
    cleartextReceived,
    flushCache: () => cache.clear(),
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

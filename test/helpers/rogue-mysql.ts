/**
 * A hostile MySQL server for security tests (node:net, written for this project). It speaks the
 * protocol-10 greeting, then misbehaves according to its mode, and records every byte any client sent.
 *
 * Modes:
 * - `clear-password`: switches authentication to `mysql_clear_password`.
 * - `caching-sha2`: switches to `caching_sha2_password`, answers the scramble with "perform full
 *   authentication" (0x01 0x04) and, when asked for the public key (0x02), sends its own RSA key; it
 *   tries to decrypt every client packet with its private key (`recovered`).
 * - `local-infile`: accepts any login, then answers every query with a LOCAL INFILE request for
 *   /etc/passwd (`infileBytes` counts what came back).
 * - `endless-rows`: accepts any login, then answers a query with a result set that never ends.
 * - `huge-packet`: accepts any login, then answers a query with a row packet that never ends
 *   (16 MiB continuation packets, forever).
 * - `huge-greeting`: sends a greeting packet that never ends.
 * - `silent`: accepts the TCP connection and never sends anything.
 */
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { type Server, type Socket, createServer } from 'node:net';
import {
  EOF,
  OK,
  PacketReader,
  columnDefinition,
  errPayload,
  header,
  lenencStr,
  packet,
} from './mysql-packets.js';

export type RogueMode =
  | 'clear-password'
  | 'caching-sha2'
  | 'local-infile'
  | 'endless-rows'
  | 'huge-packet'
  | 'huge-greeting'
  | 'silent';

export interface RogueMysql {
  readonly mode: RogueMode;
  /** TCP port on 127.0.0.1 (0 when listening on a unix socket). */
  readonly port: number;
  /** The unix socket path, when started with one. */
  readonly path: string | undefined;
  /** The rogue's RSA public key (PEM, SPKI), as sent to clients that ask for it. */
  readonly publicKeyPem: string;
  /** Every byte every client sent, in arrival order per connection. */
  captured(): Buffer;
  /** Plain texts the rogue recovered by decrypting client packets with its private key. */
  readonly recovered: string[];
  /** Capability flags of every handshake response (see CLIENT_LOCAL_FILES). */
  readonly clientFlags: number[];
  /** Bytes of data packets clients sent after a LOCAL INFILE request (0 = no file sent). */
  infileBytes(): number;
  /** Bytes the rogue managed to hand to the kernel (how much a client let it push). */
  bytesWritten(): number;
  connections(): number;
  /** Connections still open. */
  open(): number;
  close(): Promise<void>;
}

const CLIENT = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  LOCAL_FILES: 0x80,
  PROTOCOL_41: 0x200,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_RESULTS: 0x20000,
  PLUGIN_AUTH: 0x80000,
} as const;

export const CLIENT_LOCAL_FILES = CLIENT.LOCAL_FILES;

const SERVER_CAPS =
  CLIENT.LONG_PASSWORD |
  CLIENT.FOUND_ROWS |
  CLIENT.LONG_FLAG |
  CLIENT.CONNECT_WITH_DB |
  CLIENT.LOCAL_FILES |
  CLIENT.PROTOCOL_41 |
  CLIENT.TRANSACTIONS |
  CLIENT.SECURE_CONNECTION |
  CLIENT.MULTI_RESULTS |
  CLIENT.PLUGIN_AUTH;

const MAX_PAYLOAD = 0xffffff;

function greeting(nonce: Buffer, plugin: string, connectionId: number): Buffer {
  const caps = Buffer.alloc(4);
  caps.writeUInt32LE(SERVER_CAPS >>> 0, 0);
  const id = Buffer.alloc(4);
  id.writeUInt32LE(connectionId, 0);
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from('8.0.36-rogue\0', 'utf8'),
    id,
    nonce.subarray(0, 8),
    Buffer.from([0]),
    caps.subarray(0, 2),
    Buffer.from([0xff]), // utf8mb4_0900_ai_ci
    Buffer.from([0x02, 0x00]), // autocommit
    caps.subarray(2, 4),
    Buffer.from([21]),
    Buffer.alloc(10),
    nonce.subarray(8, 20),
    Buffer.from([0]),
    Buffer.from(`${plugin}\0`, 'utf8'),
  ]);
}

const errPacket = (message: string): Buffer => errPayload(1064, '28000', message);

interface Conn {
  readonly socket: Socket;
  readonly nonce: Buffer;
  phase: 'handshake' | 'auth' | 'command' | 'infile';
  seq: number;
  authStep: number;
}

export async function startRogueMysql(mode: RogueMode, opts: { path?: string } = {}): Promise<RogueMysql> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const chunks: Buffer[] = [];
  const recovered: string[] = [];
  const clientFlags: number[] = [];
  const sockets = new Set<Socket>();
  let infile = 0;
  let written = 0;
  let accepted = 0;

  const send = (c: Conn, payload: Buffer) => {
    const p = packet(payload, c.seq);
    c.seq = (c.seq + 1) & 0xff;
    written += p.length;
    c.socket.write(p);
  };

  const tryDecrypt = (c: Conn, payload: Buffer) => {
    for (const padding of [constants.RSA_PKCS1_OAEP_PADDING, constants.RSA_PKCS1_PADDING]) {
      try {
        const x = privateDecrypt({ key: privateKey, padding, oaepHash: 'sha1' }, payload);
        for (let i = 0; i < x.length; i++) x[i] = (x[i] ?? 0) ^ (c.nonce[i % c.nonce.length] ?? 0);
        recovered.push(x.toString('utf8').replace(/\0+$/, ''));
      } catch {
        // not encrypted to our key
      }
    }
  };

  /** Writes `make()` output until the socket pushes back, then waits for drain; forever. */
  const flood = (c: Conn, make: () => Buffer) => {
    const pump = () => {
      while (!c.socket.destroyed) {
        const b = make();
        written += b.length;
        if (!c.socket.write(b)) {
          c.socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };

  const endlessRows = (c: Conn) => {
    send(c, Buffer.from([1]));
    send(c, columnDefinition('version'));
    send(c, EOF);
    const row = lenencStr('x'.repeat(1000));
    flood(c, () => {
      const batch: Buffer[] = [];
      for (let i = 0; i < 64; i++) {
        batch.push(header(row.length, c.seq), row);
        c.seq = (c.seq + 1) & 0xff;
      }
      return Buffer.concat(batch);
    });
  };

  const hugePacket = (c: Conn) => {
    // A packet of the maximum length, followed by continuation packets of the maximum length:
    // a client must buffer until a shorter packet arrives, which never happens.
    const block = Buffer.alloc(64 * 1024, 0x41);
    let left = 0;
    flood(c, () => {
      if (left === 0) {
        left = MAX_PAYLOAD;
        const h = header(MAX_PAYLOAD, c.seq);
        c.seq = (c.seq + 1) & 0xff;
        return h;
      }
      const n = Math.min(left, block.length);
      left -= n;
      return block.subarray(0, n);
    });
  };

  const onCommand = (c: Conn, payload: Buffer) => {
    const cmd = payload[0];
    c.seq = 1;
    if (cmd === 0x01) {
      c.socket.end();
      return;
    }
    if (cmd !== 0x03) {
      send(c, OK);
      return;
    }
    switch (mode) {
      case 'local-infile':
        c.phase = 'infile';
        send(c, Buffer.concat([Buffer.from([0xfb]), Buffer.from('/etc/passwd', 'utf8')]));
        return;
      case 'endless-rows':
        endlessRows(c);
        return;
      case 'huge-packet':
        send(c, Buffer.from([1]));
        send(c, columnDefinition('version'));
        send(c, EOF);
        hugePacket(c);
        return;
      default:
        send(c, errPacket('rogue says no'));
    }
  };

  const onAuth = (c: Conn, payload: Buffer) => {
    c.authStep++;
    if (mode === 'clear-password') {
      // Whatever came back is the password or nothing; say yes and let the client go on.
      send(c, OK);
      c.phase = 'command';
      return;
    }
    if (mode === 'caching-sha2') {
      if (c.authStep === 1) {
        // The scramble: pretend the cache is cold.
        send(c, Buffer.from([0x01, 0x04]));
        return;
      }
      if (payload.length === 1 && payload[0] === 0x02) {
        send(c, Buffer.concat([Buffer.from([0x01]), Buffer.from(publicKeyPem, 'utf8')]));
        return;
      }
      tryDecrypt(c, payload);
      send(c, OK);
      c.phase = 'command';
      return;
    }
    send(c, OK);
    c.phase = 'command';
  };

  const onPacket = (c: Conn, seq: number, payload: Buffer) => {
    c.seq = (seq + 1) & 0xff;
    if (c.phase === 'handshake') {
      if (payload.length >= 4) clientFlags.push(payload.readUInt32LE(0));
      if (mode === 'clear-password') {
        c.phase = 'auth';
        send(c, Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_clear_password\0', 'utf8')]));
        return;
      }
      if (mode === 'caching-sha2') {
        c.phase = 'auth';
        send(
          c,
          Buffer.concat([
            Buffer.from([0xfe]),
            Buffer.from('caching_sha2_password\0', 'utf8'),
            c.nonce,
            Buffer.from([0]),
          ]),
        );
        return;
      }
      send(c, OK);
      c.phase = 'command';
      return;
    }
    if (c.phase === 'auth') {
      onAuth(c, payload);
      return;
    }
    if (c.phase === 'infile') {
      infile += payload.length;
      if (payload.length === 0) {
        c.phase = 'command';
        send(c, OK);
      }
      return;
    }
    onCommand(c, payload);
  };

  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const nonce = Buffer.from(Array.from({ length: 20 }, (_, i) => 0x21 + ((i * 7 + accepted) % 90)));
    const c: Conn = { socket, nonce, phase: 'handshake', seq: 0, authStep: 0 };
    const reader = new PacketReader();
    socket.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      reader.append(d);
      for (let p = reader.next(); p; p = reader.next()) onPacket(c, p.seq, p.payload);
    });
    if (mode === 'silent') return;
    if (mode === 'huge-greeting') {
      hugePacket(c);
      return;
    }
    const plugin = mode === 'caching-sha2' ? 'caching_sha2_password' : 'mysql_native_password';
    send(c, greeting(nonce, plugin, accepted));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (opts.path) server.listen(opts.path, () => resolve());
    else server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    mode,
    port,
    path: opts.path,
    publicKeyPem,
    captured: () => Buffer.concat(chunks),
    recovered,
    clientFlags,
    infileBytes: () => infile,
    bytesWritten: () => written,
    connections: () => accepted,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * --web.config.file end to end (reliability plan T37, T38, part of T39): the exporter in-process with
 * no database behind it (mysql_up 0 is still a 200), certificates made by the openssl CLI in a temp
 * dir. TLS versions, client certificates, certificate rotation, start-up refusal, basic auth (CVE
 * poisoning, 150 good + 150 bad concurrent logins, unknown-user timing), a config broken at run
 * time answering 500, request limits.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type RequestOptions, request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SecureVersion, connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/errors.js';
import { main } from '../../src/main.js';
import { type TestExporter, cnfFor, sampleValue, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { freePort } from '../helpers/mariadb.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { tempDir } from '../helpers/tmp.js';

interface Certs {
  readonly dir: string;
  pem(name: string): Buffer;
}

/** A CA, two server certificates (serials 1001 and 2002), a client CA with two clients, a rogue CA. */
function makeCerts(): Certs {
  const dir = tempDir('web-security-');
  const san = 'IP:127.0.0.1,DNS:localhost';
  const common = { dir, keyType: 'ec' } as const;
  makeTestCa({
    ...common,
    name: 'server-ca',
    cn: 'server-ca',
    leaves: [
      { name: 'server1', san, serial: '0x1001' },
      { name: 'server2', san, serial: '0x2002' },
    ],
  });
  makeTestCa({
    ...common,
    name: 'client-ca',
    cn: 'client-ca',
    leaves: [
      { name: 'prometheus', san: 'DNS:prometheus.test', usage: 'client', serial: '0x31' },
      { name: 'intruder', san: 'DNS:other.test', usage: 'client', serial: '0x32' },
    ],
  });
  makeTestCa({
    ...common,
    name: 'rogue-ca',
    cn: 'rogue-ca',
    leaves: [{ name: 'rogue', san: 'DNS:prometheus.test', usage: 'client', serial: '0x33' }],
  });
  return { dir, pem: (name) => readFileSync(join(dir, name)) };
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly serial: string | undefined;
  readonly protocol: string | null;
}

/** One HTTPS request on a fresh connection (so a new handshake every time). */
function httpsGet(
  url: string,
  path: string,
  opts: RequestOptions & { headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { agent: false, timeout: 5000, ...opts }, (res) => {
      const socket = res.socket as import('node:tls').TLSSocket;
      const serial = socket.getPeerCertificate().serialNumber;
      const protocol = socket.getProtocol();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers, serial, protocol }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** A raw HTTP/1.1 request (for limits that fetch would refuse to send). */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => s.end(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => {
      out += c;
    });
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

function httpGet(url: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          headers: res.headers,
          serial: undefined,
          protocol: null,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)|node:internal/;

describe('web config: TLS, client certificates, basic auth, limits', () => {
  let certs: Certs;
  let cnf: string;
  const started: TestExporter[] = [];
  const bodies: string[] = [];

  const writeWeb = (name: string, text: string): string => {
    const p = join(certs.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const start = async (webName: string, text: string): Promise<TestExporter> => {
    const e = await startExporter(cnf, [`--web.config.file=${writeWeb(webName, text)}`]);
    started.push(e);
    return e;
  };

  before(async () => {
    certs = makeCerts();
    // No database: a closed port. mysql_up is 0 and /metrics still answers 200.
    cnf = writeMyCnf(cnfFor(await freePort(), 'nobody', 'no-password'));
  });
  after(async () => {
    await Promise.all(started.map((e) => e.stop()));
    rmSync(certs.dir, { recursive: true, force: true });
    for (const b of bodies) assert.doesNotMatch(b, STACK_FRAME, 'a response carried a stack trace');
  });

  describe('TLS', () => {
    let exp: TestExporter;
    before(async () => {
      // Files are copied so that the rotation test can replace them.
      writeFileSync(join(certs.dir, 'live.crt'), certs.pem('server1.crt'));
      writeFileSync(join(certs.dir, 'live.key'), certs.pem('server1.key'));
      exp = await start('tls.yml', 'tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\n');
    });

    test('the server speaks HTTPS; TLS 1.2 and TLS 1.3 clients get /metrics (mysql_up 0)', async () => {
      assert.match(exp.url, /^https:\/\//);
      const ca = certs.pem('server-ca.crt');
      for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
        const r = await httpsGet(exp.url, '/metrics', { ca, minVersion: v, maxVersion: v });
        bodies.push(r.body);
        assert.equal(r.status, 200);
        assert.equal(r.protocol, v);
        assert.equal(sampleValue(r.body, 'mysql_up'), 0);
      }
    });

    test('a TLS 1.1 client is refused (the same client does reach a TLS 1.1 server)', async () => {
      const tls11 = {
        host: '127.0.0.1',
        rejectUnauthorized: false,
        minVersion: 'TLSv1.1' as SecureVersion,
        maxVersion: 'TLSv1.1' as SecureVersion,
        ciphers: 'DEFAULT@SECLEVEL=0',
      };
      const handshake = (port: number) =>
        new Promise<string>((resolve) => {
          const s = tlsConnect({ ...tls11, port }, () => {
            const p = s.getProtocol() ?? 'none';
            s.destroy();
            resolve(p);
          });
          s.on('error', (err) => resolve(`error: ${err.message}`));
        });
      // Control: the client can do TLS 1.1 with a server that allows it.
      const control = createTlsServer(
        {
          key: certs.pem('server1.key'),
          cert: certs.pem('server1.crt'),
          minVersion: 'TLSv1',
          ciphers: 'DEFAULT@SECLEVEL=0',
        },
        (s) => s.end(),
      );
      await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
      const controlPort = (control.address() as import('node:net').AddressInfo).port;
      try {
        assert.equal(await handshake(controlPort), 'TLSv1.1');
      } finally {
        control.close();
      }
      const port = Number(new URL(exp.url).port);
      assert.match(await handshake(port), /^error: .*(protocol|version)/i);
    });

    test('plain HTTP to the HTTPS port gets nothing useful', async () => {
      const r = await httpGet(exp.url.replace('https:', 'http:'), '/metrics').catch(() => undefined);
      assert.ok(r === undefined || r.status !== 200);
    });

    test('rotation: new files are picked up by new handshakes without a restart', async () => {
      const ca = certs.pem('server-ca.crt');
      const first = await httpsGet(exp.url, '/-/healthy', { ca });
      assert.equal(first.serial, '1001');
      writeFileSync(join(certs.dir, 'live.key'), certs.pem('server2.key'));
      writeFileSync(join(certs.dir, 'live.crt'), certs.pem('server2.crt'));
      const r = await until(
        'the rotated certificate',
        () => httpsGet(exp.url, '/-/healthy', { ca }),
        (x) => x.serial === '2002' && x.status === 200,
      );
      assert.equal(r.body, 'Healthy\n');
      assert.ok(exp.logs.some((l) => l.includes('web config file reloaded')));
    });
  });

  describe('client certificates: RequireAndVerifyClientCert with a client CA and a SAN allow-list', () => {
    let exp: TestExporter;
    before(async () => {
      exp = await start(
        'mtls.yml',
        [
          'tls_server_config:',
          '  cert_file: server1.crt',
          '  key_file: server1.key',
          '  client_auth_type: RequireAndVerifyClientCert',
          '  client_ca_file: client-ca.crt',
          '  client_allowed_sans: [prometheus.test]',
          '',
        ].join('\n'),
      );
    });
    const as = (name: string | undefined) =>
      httpsGet(exp.url, '/metrics', {
        ca: certs.pem('server-ca.crt'),
        ...(name ? { cert: certs.pem(`${name}.crt`), key: certs.pem(`${name}.key`) } : {}),
      });

    test('the right client certificate gets 200', async () => {
      const r = await as('prometheus');
      bodies.push(r.body);
      assert.equal(r.status, 200);
    });

    test('no client certificate is refused', async () => {
      await assert.rejects(as(undefined));
    });

    test('a certificate from another CA (with an allowed SAN) is refused', async () => {
      await assert.rejects(as('rogue'));
    });

    test('a certificate from the right CA whose SAN is not allowed is refused', async () => {
      await assert.rejects(as('intruder'));
    });
  });

  describe('start-up refusal', () => {
    test('a bad certificate path stops start-up with file:line:key', async () => {
      const p = writeWeb(
        'bad-path.yml',
        'tls_server_config:\n  cert_file: missing.crt\n  key_file: server1.key\n',
      );
      await assert.rejects(startExporter(cnf, [`--web.config.file=${p}`]), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 1);
        assert.equal(err.problems[0]?.line, 2);
        assert.equal(err.problems[0]?.key, 'tls_server_config.cert_file');
        assert.match(err.problems[0]?.message ?? '', /missing\.crt: ENOENT/);
        return true;
      });
      // And the CLI exits non-zero with the reasons.
      let stderr = '';
      const code = await main({
        argv: [`--config.my-cnf=${cnf}`, '--web.listen-address=127.0.0.1:0', `--web.config.file=${p}`],
        env: { HOME: tmpdir() },
        stdout: () => {},
        stderr: (s) => {
          stderr += s;
        },
      });
      assert.notEqual(code, 0);
      assert.match(stderr, /bad-path\.yml:2: tls_server_config\.cert_file: cannot read .*missing\.crt/);
    });

    test('an invalid bcrypt hash stops start-up', async () => {
      const p = writeWeb('bad-hash.yml', 'basic_auth_users:\n  alice: $2y$10$tooshort\n');
      await assert.rejects(startExporter(cnf, [`--web.config.file=${p}`]), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems[0]?.key, 'basic_auth_users.alice');
        assert.equal(err.problems[0]?.line, 2);
        return true;
      });
    });
  });

  describe('basic auth', () => {
    let exp: TestExporter;
    let hash: string;
    const GOOD = { user: 'alice', password: 'correct horse' };
    before(async () => {
      // Cost 8 (about 15-20 ms in bcryptjs), so that the timing comparison means something.
      hash = bcrypt.hashSync(GOOD.password, 8);
      exp = await start(
        'auth.yml',
        `basic_auth_users:\n  ${GOOD.user}: ${hash}\n  bob: ${bcrypt.hashSync('other', 8)}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
      );
    });

    test('no credentials: 401 with WWW-Authenticate: Basic realm=..., and the configured headers', async () => {
      const r = await exp.get('/metrics');
      bodies.push(r.body);
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
      assert.equal(r.headers.get('x-frame-options'), 'deny');
      for (const path of ['/', '/-/healthy', '/-/ready', '/nope'])
        assert.equal((await exp.get(path)).status, 401, path);
      const reload = await fetch(`${exp.url}/-/reload`, { method: 'POST' });
      assert.equal(reload.status, 401);
    });

    test('wrong password and unknown user: 401; right password: 200 with mysql_up 0', async () => {
      assert.equal((await exp.get('/metrics', basic('alice', 'wrong'))).status, 401);
      assert.equal((await exp.get('/metrics', basic('mallory', GOOD.password))).status, 401);
      assert.equal((await exp.get('/metrics', basic('', ''))).status, 401);
      const r = await exp.get('/metrics', basic(GOOD.user, GOOD.password));
      bodies.push(r.body);
      assert.equal(r.status, 200);
      assert.equal(sampleValue(r.body, 'mysql_up'), 0);
      assert.equal(r.headers.get('x-frame-options'), 'deny');
    });

    test('the CVE-2022-46146 poisoning inputs never authenticate (cold and warm cache)', async () => {
      const poison = [
        basic(`alice${hash}`, GOOD.password),
        basic('alice', `${hash}${GOOD.password}`),
        basic('alice', `${hash}fakepassword`),
        basic(`alice${hash}fakepassword`, ''),
        basic('alice', hash),
        basic('alice', `${GOOD.password}${hash}`),
        basic(hash, GOOD.password),
      ];
      for (const h of poison) assert.equal((await exp.get('/-/healthy', h)).status, 401);
      assert.equal((await exp.get('/-/healthy', basic(GOOD.user, GOOD.password))).status, 200);
      for (const h of poison) assert.equal((await exp.get('/-/healthy', h)).status, 401);
      // Concurrent, interleaved with good logins.
      const mixed = await Promise.all(
        [...poison, ...poison].flatMap((h) => [
          exp.get('/-/healthy', h),
          exp.get('/-/healthy', basic(GOOD.user, GOOD.password)),
        ]),
      );
      assert.deepEqual(
        mixed.map((r) => r.status),
        mixed.map((_, i) => (i % 2 === 0 ? 401 : 200)),
      );
    });

    test('150 concurrent good and 150 concurrent bad logins: exactly 150 x 200 and 150 x 401', async (t) => {
      // A fresh exporter, so that nothing is cached; the bad passwords are all different.
      const fresh = await start(
        'auth-fresh.yml',
        `basic_auth_users:\n  ${GOOD.user}: ${bcrypt.hashSync(GOOD.password, 6)}\n`,
      );
      const t0 = performance.now();
      const replies = await Promise.all([
        ...Array.from({ length: 150 }, () => fresh.get('/-/healthy', basic(GOOD.user, GOOD.password))),
        ...Array.from({ length: 150 }, (_, i) => fresh.get('/-/healthy', basic(GOOD.user, `bad-${i}`))),
      ]);
      const ms = performance.now() - t0;
      const good = replies.slice(0, 150).map((r) => r.status);
      const bad = replies.slice(150).map((r) => r.status);
      assert.equal(good.filter((s) => s === 200).length, 150, JSON.stringify(good));
      assert.equal(bad.filter((s) => s === 401).length, 150, JSON.stringify(bad));
      t.diagnostic(
        `300 concurrent logins (151 bcrypt comparisons at cost 6) answered in ${ms.toFixed(0)} ms`,
      );
    });

    test('unknown users take as long as known ones; the event loop stays free during a flood', async (t) => {
      const sample = async (user: string, i: number) => {
        const t0 = performance.now();
        const r = await exp.get('/-/healthy', basic(user, `timing-${user}-${i}`));
        assert.equal(r.status, 401);
        return performance.now() - t0;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 25; i++) {
        known.push(await sample('alice', i));
        unknown.push(await sample(`ghost${i}`, i));
      }
      const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      const k = p50(known);
      const u = p50(unknown);
      t.diagnostic(
        `p50 known user ${k.toFixed(1)} ms, unknown user ${u.toFixed(1)} ms, delta ${(u - k).toFixed(1)} ms`,
      );
      assert.ok(u > k * 0.6, `unknown users answer much faster (${u} vs ${k} ms): enumeration possible`);
      assert.ok(u < k * 1.8 + 5, `unknown users answer much slower (${u} vs ${k} ms)`);

      // A flood of 120 distinct bad passwords (about 2 s of bcrypt on the worker) does not stall a
      // cached good login.
      await exp.get('/-/healthy', basic(GOOD.user, GOOD.password));
      const flood = Array.from({ length: 120 }, (_, i) =>
        exp.get('/-/healthy', basic('alice', `flood-${i}`)),
      );
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      const ok = await exp.get('/-/healthy', basic(GOOD.user, GOOD.password));
      const during = performance.now() - t0;
      assert.equal(ok.status, 200);
      const floodStatus = (await Promise.all(flood)).map((r) => r.status);
      assert.ok(floodStatus.every((s) => s === 401));
      t.diagnostic(`cached good login during a flood of 120 bad ones: ${during.toFixed(1)} ms`);
      assert.ok(during < 500, `a good login waited ${during} ms behind the flood`);
    });
  });

  describe('a web config broken while running fails closed', () => {
    test('every request answers 500 (never an unauthenticated pass), then recovers', async () => {
      const hash = bcrypt.hashSync('pw', 4);
      const good = `basic_auth_users:\n  alice: ${hash}\n`;
      const exp = await start('runtime.yml', good);
      const path = join(certs.dir, 'runtime.yml');
      assert.equal((await exp.get('/-/healthy', basic('alice', 'pw'))).status, 200);
      assert.equal((await exp.get('/-/healthy')).status, 401);

      const statuses = new Set<number>();
      for (const broken of [
        'basic_auth_users:\n  alice: [unclosed\n',
        `basic_auth_users:\n  alice: ${hash}\nunknown_key: 1\n`,
        'basic_auth_users:\n  alice: not-a-hash\n',
      ]) {
        writeFileSync(path, broken);
        await until(
          'the 500',
          () => exp.get('/-/healthy', basic('alice', 'pw')),
          (r) => r.status === 500,
        );
        for (const h of [{}, basic('alice', 'pw'), basic('alice', 'wrong')]) {
          const r = await exp.get('/metrics', h);
          bodies.push(r.body);
          statuses.add(r.status);
          assert.equal(r.status, 500);
          assert.doesNotMatch(r.body, /alice|\$2/);
        }
        writeFileSync(path, good);
        await until(
          'recovery',
          () => exp.get('/-/healthy', basic('alice', 'pw')),
          (r) => r.status === 200,
        );
      }
      assert.deepEqual([...statuses], [500]);
      assert.ok(exp.logs.some((l) => l.includes('web config file is invalid')));

      // Adding TLS to a running plain-HTTP server cannot take effect: 500 until restart or revert.
      writeFileSync(path, `${good}tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n`);
      const r = await until(
        'the 500',
        () => exp.get('/-/healthy', basic('alice', 'pw')),
        (x) => x.status === 500,
      );
      assert.equal(r.status, 500);
      // Deleting the file is a broken config too.
      writeFileSync(path, good);
      await until(
        'recovery',
        () => exp.get('/-/healthy', basic('alice', 'pw')),
        (x) => x.status === 200,
      );
      rmSync(path);
      await until(
        'the 500',
        () => exp.get('/-/healthy'),
        (x) => x.status === 500,
      );
    });
  });

  describe('request limits and hygiene (T39)', () => {
    let exp: TestExporter;
    let port: number;
    before(async () => {
      exp = await start(
        'limits.yml',
        'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n',
      );
      port = Number(new URL(exp.url).port);
    });

    test('a 10 000-parameter query string: 414; a long URL: 414', async () => {
      const qs = Array.from({ length: 10_000 }, (_, i) => `collect[]=c${i}`).join('&');
      const r = await rawHttp(port, `GET /metrics?${qs} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(r, /^HTTP\/1\.1 (414|431)/);
      const r2 = await exp.get(`/metrics?target=${'a'.repeat(5000)}`);
      assert.equal(r2.status, 414);
      bodies.push(r2.body);
    });

    test('64 KiB of headers: 431', async () => {
      const r = await rawHttp(
        port,
        `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(r, /^HTTP\/1\.1 431/);
    });

    test('slowloris: a client that never finishes its headers is cut off after about 10 s', async () => {
      const t0 = performance.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const s = netConnect(port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
        let out = '';
        const drip = setInterval(() => {
          if (!s.destroyed) s.write('X-Slow: 1\r\n');
        }, 500);
        s.setEncoding('latin1');
        s.on('data', (c: string) => {
          out += c;
        });
        s.on('close', () => {
          clearInterval(drip);
          resolve(out);
        });
        s.on('error', (err) => {
          clearInterval(drip);
          reject(err);
        });
      });
      const ms = performance.now() - t0;
      assert.match(answer, /^HTTP\/1\.1 408/);
      assert.ok(ms > 9_000 && ms < 14_000, `cut off after ${ms} ms`);
    });

    test('GET /-/reload: 405; unknown path: 404; configured header on every answer; no stack traces', async () => {
      const a = await exp.get('/-/reload');
      const b = await exp.get('/no/such/path');
      bodies.push(a.body, b.body);
      assert.equal(a.status, 405);
      assert.equal(b.status, 404);
      assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(b.headers.get('x-content-type-options'), 'nosniff');
      const malformed = await rawHttp(port, 'GET /%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.doesNotMatch(malformed, STACK_FRAME);
      const garbage = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
      assert.match(garbage, /^HTTP\/1\.1 400/);
      assert.doesNotMatch(garbage, STACK_FRAME);
    });
  });
});

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, type ConfigProblem } from '../../../src/errors.js';
import { loadWebConfig } from '../../../src/http/web-config-load.js';
import { parseGoDuration, parseWebConfig } from '../../../src/http/web-config.js';
import { makeTestCa } from '../../helpers/test-ca.js';
import { tempDir } from '../../helpers/tmp.js';

const SRC = '/etc/exporter/web.yml';
// Hash of "secret" at cost 4 (made with bcryptjs).
const HASH = '$2b$04$L7itaXpIjSVsK7aevsmC..7jooZN0Pc5cM7i3WqeVINnTYKSrL7Km';

function problemsOf(text: string, source = SRC): readonly ConfigProblem[] {
  try {
    parseWebConfig(text, source);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

/** Exactly one problem, at `line` and `key`, whose message matches `re`. */
function one(text: string, line: number, key: string, re: RegExp): ConfigProblem {
  const ps = problemsOf(text);
  assert.equal(ps.length, 1, JSON.stringify(ps));
  const p = ps[0]!;
  assert.equal(p.source, SRC);
  assert.equal(p.line, line, JSON.stringify(p));
  assert.equal(p.key, key, JSON.stringify(p));
  assert.match(p.message, re);
  return p;
}

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';

describe('parseWebConfig: valid files', () => {
  test('an empty file (or only comments) means no TLS, no auth, no headers', () => {
    for (const text of ['', '# nothing\n', '---\n']) {
      const c = parseWebConfig(text, SRC);
      assert.equal(c.tls, undefined);
      assert.equal(c.users.size, 0);
      assert.deepEqual(c.headers, []);
      assert.equal(c.http2, true);
      assert.equal(c.rateLimit, undefined);
    }
  });

  test('every key, mapped to Node names; paths relative to the file', () => {
    const c = parseWebConfig(
      `tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ../ca/clients.pem
  client_allowed_sans: [prometheus.example, 10.0.0.1]
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
    Content-Security-Policy: ""
basic_auth_users:
  alice: ${HASH}
  "bob smith": ${HASH.replace('$2b$', '$2y$')}
rate_limit:
  interval: 1m30s
  burst: 5
`,
      SRC,
    );
    const tls = c.tls;
    assert.ok(tls);
    assert.deepEqual(tls.cert, {
      kind: 'file',
      path: '/etc/exporter/server.crt',
      key: 'tls_server_config.cert_file',
      line: 2,
    });
    assert.equal(tls.key.kind === 'file' && tls.key.path, '/abs/server.key');
    assert.equal(tls.clientCa?.kind === 'file' && tls.clientCa.path, '/etc/ca/clients.pem');
    assert.equal(tls.clientAuthType, 'RequireAndVerifyClientCert');
    assert.deepEqual(tls.clientAllowedSans, ['prometheus.example', '10.0.0.1']);
    assert.equal(tls.minVersion, 'TLSv1.3');
    assert.equal(tls.maxVersion, 'TLSv1.3');
    // TLS 1.3 suites cannot be configured (as in Go): they are accepted and left out.
    assert.equal(tls.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305');
    assert.equal(tls.ecdhCurve, 'X25519:P-256');
    assert.equal(tls.honorCipherOrder, false);
    assert.equal(tls.line, 1);
    assert.equal(c.http2, false);
    // A blank value leaves the header unset.
    assert.deepEqual(c.headers, [
      ['X-Frame-Options', 'deny'],
      ['X-Content-Type-Options', 'nosniff'],
      ['Strict-Transport-Security', 'max-age=31536000'],
    ]);
    assert.deepEqual([...c.users.keys()], ['alice', 'bob smith']);
    assert.deepEqual(c.rateLimit, { intervalMs: 90_000, burst: 5 });
  });

  test('defaults: TLS 1.2 to 1.3, NoClientCert, server cipher order, Node cipher and curve defaults', () => {
    const tls = parseWebConfig(TLS, SRC).tls;
    assert.ok(tls);
    assert.equal(tls.minVersion, 'TLSv1.2');
    assert.equal(tls.maxVersion, 'TLSv1.3');
    assert.equal(tls.clientAuthType, 'NoClientCert');
    assert.equal(tls.honorCipherOrder, true);
    assert.equal(tls.ciphers, undefined);
    assert.equal(tls.ecdhCurve, undefined);
    assert.equal(tls.clientCa, undefined);
  });

  test('inline cert and key', () => {
    const tls = parseWebConfig(
      'tls_server_config:\n  cert: "-----BEGIN CERTIFICATE-----"\n  key: "k"\n',
      SRC,
    ).tls;
    assert.equal(tls?.cert.kind, 'inline');
    assert.equal(tls?.key.kind, 'inline');
  });

  test('an empty tls_server_config means no TLS; rate_limit with interval 0 is off', () => {
    assert.equal(parseWebConfig('tls_server_config: {}\n', SRC).tls, undefined);
    assert.equal(parseWebConfig('tls_server_config:\n', SRC).tls, undefined);
    assert.equal(parseWebConfig('rate_limit:\n  interval: 0\n  burst: 0\n', SRC).rateLimit, undefined);
  });

  test('Go durations', () => {
    assert.equal(parseGoDuration('1s'), 1000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('0'), 0);
    for (const bad of ['', '1', 's', '1x', '-1s', '1s ']) assert.equal(parseGoDuration(bad), undefined, bad);
  });
});

describe('parseWebConfig: each problem with file:line:key', () => {
  test('YAML syntax error', () => {
    const ps = problemsOf('basic_auth_users:\n  alice: [unclosed\n');
    assert.ok(ps.length >= 1);
    assert.equal(ps[0]?.source, SRC);
    assert.match(ps[0]?.message ?? '', /^YAML: /);
    assert.equal(typeof ps[0]?.line, 'number');
  });

  test('duplicate key', () => {
    const ps = problemsOf('rate_limit:\n  burst: 1\n  burst: 2\n');
    assert.equal(ps[0]?.line, 3);
    assert.match(ps[0]?.message ?? '', /unique/i);
  });

  test('unknown top-level key', () => {
    one('# comment\ntls_config:\n  cert_file: a\n', 2, 'tls_config', /unknown key.*tls_server_config/);
  });

  test('unknown key inside tls_server_config, http_server_config and rate_limit', () => {
    one(`${TLS}  client_ca_files: x\n`, 4, 'tls_server_config.client_ca_files', /unknown key/);
    one('http_server_config:\n  http3: true\n', 2, 'http_server_config.http3', /unknown key/);
    one('rate_limit:\n  interval: 1s\n  burst: 1\n  bursts: 2\n', 4, 'rate_limit.bursts', /unknown key/);
  });

  test('a section that is not a mapping; a value of the wrong type', () => {
    one('basic_auth_users: alice\n', 1, 'basic_auth_users', /expected a mapping/);
    one('http_server_config:\n  http2: "yes"\n', 2, 'http_server_config.http2', /true or false/);
    one(`${TLS}  min_version: 12\n`, 4, 'tls_server_config.min_version', /expected a string/);
    one(
      `${TLS}  cipher_suites: TLS_AES_128_GCM_SHA256\n`,
      4,
      'tls_server_config.cipher_suites',
      /expected a list/,
    );
  });

  test('bad TLS versions, and min above max', () => {
    one(`${TLS}  min_version: TLS1.2\n`, 4, 'tls_server_config.min_version', /unknown TLS version.*TLS12/);
    one(`${TLS}  max_version: SSL30\n`, 4, 'tls_server_config.max_version', /unknown TLS version/);
    one(
      `${TLS}  min_version: TLS13\n  max_version: TLS12\n`,
      4,
      'tls_server_config.min_version',
      /newer than max_version/,
    );
  });

  test('unknown cipher suite names (each item reported)', () => {
    const ps = problemsOf(
      `${TLS}  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n    - TLS_RSA_WITH_NULL_SHA\n    - ECDHE-RSA-AES128-GCM-SHA256\n`,
    );
    assert.deepEqual(
      ps.map((p) => [p.line, p.key]),
      [
        [6, 'tls_server_config.cipher_suites[1]'],
        [7, 'tls_server_config.cipher_suites[2]'],
      ],
    );
    assert.match(ps[0]?.message ?? '', /unknown cipher suite/);
  });

  test('cipher suites that OpenSSL cannot provide at all', () => {
    one(
      `${TLS}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`,
      4,
      'tls_server_config.cipher_suites',
      /not|none/,
    );
  });

  test('unknown curve names; known ones this OpenSSL lacks are refused too', () => {
    one(
      `${TLS}  curve_preferences: [CurveP256, P-256]\n`,
      4,
      'tls_server_config.curve_preferences[1]',
      /unknown curve/,
    );
    let pqSupported = true;
    try {
      parseWebConfig(`${TLS}  curve_preferences: [X25519MLKEM768]\n`, SRC);
    } catch (err) {
      pqSupported = false;
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems[0]?.message ?? '', /not supported by this Node\.js build's OpenSSL/);
      assert.equal(err.problems[0]?.key, 'tls_server_config.curve_preferences[0]');
    }
    assert.equal(typeof pqSupported, 'boolean');
  });

  test('a client CA without a client_auth_type', () => {
    one(
      `${TLS}  client_ca_file: ca.pem\n`,
      4,
      'tls_server_config.client_ca_file',
      /without a client_auth_type/,
    );
    one(
      `${TLS}  client_auth_type: NoClientCert\n  client_ca_file: ca.pem\n`,
      5,
      'tls_server_config.client_ca_file',
      /without a client_auth_type/,
    );
  });

  test('a bad client_auth_type', () => {
    one(
      `${TLS}  client_auth_type: RequireAndVerify\n`,
      4,
      'tls_server_config.client_auth_type',
      /unknown client_auth_type.*RequireAndVerifyClientCert/,
    );
  });

  test('a verifying client_auth_type without a client CA', () => {
    one(
      `${TLS}  client_auth_type: RequireAndVerifyClientCert\n`,
      4,
      'tls_server_config.client_auth_type',
      /needs client_ca_file/,
    );
  });

  test('client_allowed_sans without RequireAndVerifyClientCert', () => {
    one(
      `${TLS}  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [a]\n`,
      5,
      'tls_server_config.client_allowed_sans',
      /RequireAndVerifyClientCert/,
    );
  });

  test('cert without key, key without cert, settings without either', () => {
    one('tls_server_config:\n  cert_file: a.crt\n', 1, 'tls_server_config.key_file', /missing/);
    one('tls_server_config:\n  key_file: a.key\n', 1, 'tls_server_config.cert_file', /missing/);
    assert.equal(problemsOf('tls_server_config:\n  min_version: TLS13\n').length, 2);
  });

  test('cert and cert_file together', () => {
    one(`${TLS}  cert: inline\n`, 4, 'tls_server_config.cert', /mutually exclusive/);
  });

  test('headers: not on the allow-list, or a value outside the enumerated ones', () => {
    one(
      'http_server_config:\n  headers:\n    Access-Control-Allow-Origin: "*"\n',
      3,
      'http_server_config.headers.Access-Control-Allow-Origin',
      /cannot be configured/,
    );
    one(
      'http_server_config:\n  headers:\n    Server: x\n',
      3,
      'http_server_config.headers.Server',
      /cannot be configured/,
    );
    // Names are matched exactly, as exporter-toolkit does.
    one(
      'http_server_config:\n  headers:\n    x-frame-options: deny\n',
      3,
      'http_server_config.headers.x-frame-options',
      /cannot/,
    );
    one(
      'http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n',
      3,
      'http_server_config.headers.X-Frame-Options',
      /expected one of: deny, sameorigin/,
    );
    one(
      'http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n',
      3,
      'http_server_config.headers.X-Content-Type-Options',
      /nosniff/,
    );
  });

  test('invalid bcrypt hashes: each reported at its line, the hash never quoted', () => {
    const bad = {
      plain: 'secret',
      md5: '$apr1$abcdefgh$abcdefghijklmnopqrstuv',
      cost3: HASH.replace('$04$', '$03$'),
      cost32: HASH.replace('$04$', '$32$'),
      short: HASH.slice(0, -1),
      long: `${HASH}x`,
      x: HASH.replace('$2b$', '$2x$'),
      badchar: `${HASH.slice(0, -1)}!`,
      number: '12345',
      empty: '""',
    };
    const text = `basic_auth_users:\n  good: ${HASH}\n${Object.entries(bad)
      .map(([u, h]) => `  ${u}: ${h.startsWith('"') ? h : `'${h}'`}`)
      .join('\n')}\n`;
    const ps = problemsOf(text);
    assert.deepEqual(
      ps.map((p) => [p.line, p.key]),
      Object.keys(bad).map((u, i) => [i + 3, `basic_auth_users.${u}`]),
    );
    for (const p of ps) {
      assert.match(p.message, /invalid bcrypt hash/);
      assert.ok(!p.message.includes('L7itaXpIjSVsK7ae'), 'the hash was quoted');
    }
    one('basic_auth_users:\n  alice: 12345\n', 2, 'basic_auth_users.alice', /invalid bcrypt hash/);
  });

  test('user names: must be strings, cannot contain a colon', () => {
    one(`basic_auth_users:\n  123: ${HASH}\n`, 2, 'basic_auth_users', /plain strings/);
    one(`basic_auth_users:\n  "a:b": ${HASH}\n`, 2, 'basic_auth_users.a:b', /cannot contain ':'/);
  });

  test('rate_limit: bad interval, bad burst, burst 0 with an interval', () => {
    one('rate_limit:\n  interval: 1 second\n  burst: 1\n', 2, 'rate_limit.interval', /duration/);
    one('rate_limit:\n  interval: 1s\n  burst: -1\n', 3, 'rate_limit.burst', /non-negative/);
    one('rate_limit:\n  interval: 1s\n  burst: 0\n', 3, 'rate_limit.burst', /at least 1/);
  });

  test('anchors and aliases are refused', () => {
    const ps = problemsOf(`basic_auth_users:\n  a: &h ${HASH}\n  b: *h\n`);
    assert.match(ps[0]?.message ?? '', /aliases/);
  });

  test('every problem of a file is reported at once', () => {
    const ps = problemsOf(
      `tls_server_config:\n  cert_file: a\n  min_version: TLS9\n  cipher_suites: [NOPE]\nhttp_server_config:\n  headers:\n    Server: x\nbasic_auth_users:\n  a: nope\nextra: 1\n`,
    );
    assert.deepEqual(
      ps.map((p) => p.key),
      [
        'tls_server_config.key_file',
        'tls_server_config.min_version',
        'tls_server_config.cipher_suites[0]',
        'http_server_config.headers.Server',
        'basic_auth_users.a',
        'extra',
      ],
    );
    assert.ok(ps.every((p) => p.source === SRC && typeof p.line === 'number'));
  });
});

describe('loadWebConfig: the files it names', () => {
  let dir: string;
  before(() => {
    dir = tempDir('web-config-unit-');
    for (const name of ['a', 'b']) makeTestCa({ dir, name, cn: name, keyType: 'ec', leaves: [] });
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const loadProblems = async (p: string): Promise<readonly ConfigProblem[]> => {
    try {
      await loadWebConfig(p);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems;
    }
    assert.fail('expected a ConfigError');
  };

  test('a good pair loads, with stamps for the config, cert and key files', async () => {
    const p = write('good.yml', 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n');
    const c = await loadWebConfig(p);
    assert.ok(c.material);
    assert.deepEqual(
      c.stamps.map((s) => s.path),
      [p, join(dir, 'a.crt'), join(dir, 'a.key')],
    );
  });

  test('the config file itself unreadable', async () => {
    const ps = await loadProblems(join(dir, 'missing.yml'));
    assert.equal(ps[0]?.key, '--web.config.file');
    assert.match(ps[0]?.message ?? '', /ENOENT/);
  });

  test('unreadable cert, key and client CA files: each at its line and key', async () => {
    const p = write(
      'missing-files.yml',
      'tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: nope-ca.pem\n',
    );
    const ps = await loadProblems(p);
    assert.deepEqual(
      ps.map((x) => [x.line, x.key]),
      [
        [2, 'tls_server_config.cert_file'],
        [3, 'tls_server_config.key_file'],
        [5, 'tls_server_config.client_ca_file'],
      ],
    );
    assert.match(ps[0]?.message ?? '', /cannot read .*nope\.crt: ENOENT/);
  });

  test('a file that is not PEM', async () => {
    const p = write('garbage.yml', 'tls_server_config:\n  cert_file: garbage.pem\n  key_file: garbage.pem\n');
    const ps = await loadProblems(p);
    assert.deepEqual(
      ps.map((x) => x.key),
      ['tls_server_config.cert_file', 'tls_server_config.key_file'],
    );
  });

  test('a certificate with the wrong key', async () => {
    const p = write('mismatch.yml', 'tls_server_config:\n  cert_file: a.crt\n  key_file: b.key\n');
    const ps = await loadProblems(p);
    assert.equal(ps.length, 1);
    assert.equal(ps[0]?.key, 'tls_server_config');
    assert.equal(ps[0]?.line, 1);
    assert.match(ps[0]?.message ?? '', /mismatch/i);
    assert.ok(!(ps[0]?.message ?? '').includes('PRIVATE KEY'));
  });
});

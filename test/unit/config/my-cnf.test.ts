import assert from 'node:assert/strict';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AuthModule, loadMyCnf, type MyCnfOptions, parseMyCnf } from '../../../src/config/my-cnf.js';
import { ConfigError, type ConfigProblem } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';

/** The reliability plan's canary: # ? @ ; " ' space % / = + ü. */
const CANARY = `Cn4ry#?@x;"' %2F=+ü`;
/** The canary as a value in an option file: quoted, since an unquoted # starts a comment. */
const QCANARY = `'${CANARY}'`;
const PATH = '/etc/exporter/my.cnf';
const opts = (extra: Partial<MyCnfOptions> = {}): MyCnfOptions => ({ path: PATH, env: {}, ...extra });

function parse(text: string, extra: Partial<MyCnfOptions> = {}) {
  return parseMyCnf(text, opts(extra));
}

function mod(text: string, name = 'client', extra: Partial<MyCnfOptions> = {}): AuthModule {
  const m = parse(text, extra).modules.get(name);
  assert.ok(m, `module ${name}`);
  return m;
}

function password(text: string): string {
  return mod(text).credentials.password.reveal();
}

/** `${NAME}` written without a literal `${` (which the linter reads as a template-string mistake). */
const ref = (name: string): string => '$' + '{' + name + '}';

/** No 5-character window of the canary appears anywhere in the problems. */
function assertNoCanary(problems: readonly ConfigProblem[], extra = ''): void {
  const text = JSON.stringify(problems) + extra;
  for (let i = 0; i + 5 <= CANARY.length; i++) {
    const w = CANARY.slice(i, i + 5);
    assert.ok(!text.includes(w) && !text.includes(JSON.stringify(w).slice(1, -1)), `leaked ${w}`);
  }
}

function problemsOf(text: string, extra: Partial<MyCnfOptions> = {}): readonly ConfigProblem[] {
  try {
    parse(text, extra);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assertNoCanary(err.problems, err.message);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

function onlyProblem(text: string): ConfigProblem {
  const ps = problemsOf(text);
  assert.equal(ps.length, 1, JSON.stringify(ps));
  return ps[0]!;
}

describe('passwords with special characters', () => {
  test('the canary, unquoted, single-quoted and double-quoted', () => {
    // Unquoted, the # starts a comment (MySQL client rule): the password is cut there, with a warning.
    const cut = parse(`[client]\nuser=u\npassword = ${CANARY}\n`);
    assert.equal(cut.modules.get('client')!.credentials.password.reveal(), 'Cn4ry');
    assert.deepEqual(
      cut.warnings.map((w) => [w.line, w.key]),
      [[3, 'password']],
    );
    assert.match(cut.warnings[0]!.message, /unquoted # starts a comment/);
    assertNoCanary(cut.warnings);
    assert.equal(password(`[client]\nuser=u\npassword = '${CANARY}'\n`), CANARY);
    assert.equal(password(`[client]\nuser=u\npassword='${CANARY}'`), CANARY);
    assert.equal(password(`[client]\nuser=u\npassword = "${CANARY.replace('"', '\\"')}"\n`), CANARY);
  });

  const cases: readonly (readonly [string, string, string])[] = [
    ['leading # is a comment', '#secret', ''],
    ['leading ;', ';secret', ';secret'],
    ['inline # is a comment', 'abc # a comment', 'abc'],
    ['quoted #', '"abc # kept"', 'abc # kept'],
    ['inline ;', 'a;b', 'a;b'],
    ['double quote inside', 'a"b', 'a"b'],
    ['single quote inside', "it's", "it's"],
    ['equals signs', 'a=b==c', 'a=b==c'],
    ['question mark and ampersand', 'x?y&z', 'x?y&z'],
    ['at sign', 'u@h', 'u@h'],
    ['percent', '100%25%', '100%25%'],
    ['slash and plus', 'a/b+c', 'a/b+c'],
    ['non-ASCII letters', 'grüßé日本', 'grüßé日本'],
    ['inner spaces', 'correct horse battery', 'correct horse battery'],
    ['quoted outer spaces', '"  padded  "', '  padded  '],
    ['single-quoted outer spaces', "'  padded  '", '  padded  '],
    ['double-quoted escapes', '"a\\"b\\\\c\\n\\s\\q"', 'a"b\\c\n \\q'],
    ['escapes in single quotes too', "'a\\\"b\\\\c'", 'a"b\\c'],
    ['single-quoted double quotes', `'"x"'`, '"x"'],
    ['double-quoted single quotes', `"'x'"`, "'x'"],
    ['backslash unquoted: \\b is a backspace', 'a\\b', 'a\b'],
    ['backslash unquoted before an unknown letter stays', 'a\\zb', 'a\\zb'],
    ['dollar escape', 'pa$$word', 'pa$word'],
    ['dollar before a non-name', 'a$1$?$', 'a$1$?$'],
    ['empty', '', ''],
    ['empty quotes', '""', ''],
    ['quoted trailing non-ASCII space survives', '"abc\u00a0"', 'abc\u00a0'],
  ];
  for (const [label, written, expected] of cases) {
    test(label, () => {
      assert.equal(password(`[client]\nuser = u\npassword = ${written}\n`), expected);
    });
  }

  test('an unbalanced quote is literal, with a warning that does not quote it', () => {
    const r = parse(`[client]\nuser=u\npassword = "${CANARY}\n`);
    assert.equal(r.modules.get('client')!.credentials.password.reveal(), `"${CANARY}`);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.line, 3);
    assert.equal(r.warnings[0]!.key, 'password');
    assertNoCanary(r.warnings);
  });
});

describe('syntax', () => {
  test('CRLF line ends and a UTF-8 BOM', () => {
    const m = mod(`\uFEFF[client]\r\nuser = exporter\r\npassword = ${QCANARY}\r\nport = 3307\r\n`);
    assert.equal(m.credentials.user, 'exporter');
    assert.equal(m.credentials.password.reveal(), CANARY);
    assert.deepEqual(m.address, { kind: 'tcp', host: '127.0.0.1', port: 3307 });
  });

  test('comments and blank lines, keys case-insensitive with - and _ equal', () => {
    const m = mod(
      '# top\n; also\n\n[CLIENT]   # trailing comment\n  USER = u\n  # password = nope\nSsl_Ca = ca.pem\nTLS_Server_Name = db.example\n',
    );
    assert.equal(m.credentials.user, 'u');
    assert.equal(m.credentials.password.reveal(), '');
    assert.equal(m.credentials.tls.ca, '/etc/exporter/ca.pem');
    assert.equal(m.credentials.tls.serverName, 'db.example');
  });

  test('other sections are skipped, even with lines that would be invalid in [client]', () => {
    const r = parse(
      '[mysqld]\nbind-address=0.0.0.0\nskip-name-resolve\nweird line with spaces: 1\n[mysql]\nuser=other\n' +
        '[client-server]\nport=1\n[client]\nuser=u\n',
    );
    assert.deepEqual([...r.modules.keys()], ['client']);
    assert.equal(r.modules.get('client')!.credentials.user, 'u');
    assert.deepEqual(r.warnings, []);
  });

  test('repeated sections merge, and a repeated key warns that the later line wins', () => {
    const r = parse('[client]\nuser=a\n[mysqld]\nx=1\n[client]\nuser=b\n');
    assert.equal(r.modules.get('client')!.credentials.user, 'b');
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[6, 'user']],
    );
  });

  test('unknown keys warn; bare unknown words warn without naming the word', () => {
    const r = parse(`[client]\nuser=u\npasword = x\n${'hunter2'}\n`);
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [
        [3, 'pasword'],
        [4, undefined],
      ],
    );
    assert.ok(!JSON.stringify(r.warnings).includes('hunter2'));
  });

  test('mysql client options: CLI-only ones silent, connection ones we lack warn, loose- is silent', () => {
    const r = parse(
      '[client]\nuser=u\ndatabase=x\ndefault-character-set=utf8mb4\nno-beep\nskip-column-names\n' +
        'loose-something-new=1\nssl-crl=crl.pem\nprotocol=tcp\n',
    );
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [
        [8, 'ssl-crl'],
        [9, 'protocol'],
      ],
    );
  });
});

describe('sections and inheritance', () => {
  const text = [
    '[client]',
    'user = exporter',
    `password = ${QCANARY}`,
    'host = db0',
    'ssl-ca = /ca.pem',
    '[client.replica]',
    'host = db1',
    'port = 3307',
    '[client.replica.eu]',
    'user = eu',
    '[client.other]',
    'user = other',
    'password =',
    'tls = false',
  ].join('\n');

  test('a child inherits every key from [client] and overrides it', () => {
    const r = parse(text);
    assert.deepEqual(
      [...r.modules.keys()],
      ['client', 'client.replica', 'client.replica.eu', 'client.other'],
    );
    const replica = r.modules.get('client.replica')!;
    assert.equal(replica.name, 'client.replica');
    assert.equal(replica.credentials.user, 'exporter');
    assert.equal(replica.credentials.password.reveal(), CANARY);
    assert.deepEqual(replica.address, { kind: 'tcp', host: 'db1', port: 3307 });
    assert.equal(replica.credentials.tls.mode, 'verify');
    assert.equal(replica.credentials.tls.ca, '/ca.pem');
  });

  test('grandchildren inherit through their parent', () => {
    const eu = parse(text).modules.get('client.replica.eu')!;
    assert.equal(eu.credentials.user, 'eu');
    assert.equal(eu.credentials.password.reveal(), CANARY);
    assert.deepEqual(eu.address, { kind: 'tcp', host: 'db1', port: 3307 });
  });

  test('a child can set an empty password and turn TLS off', () => {
    const other = parse(text).modules.get('client.other')!;
    assert.equal(other.credentials.password.reveal(), '');
    assert.deepEqual(other.credentials.tls, { mode: 'off' });
  });

  test('without a [client] header, [client.<name>] sections alone are fine (probe-only)', () => {
    const r = parse('[client.a]\nuser=a\n');
    assert.deepEqual([...r.modules.keys()], ['client.a']);
  });

  test('modules are frozen', () => {
    const m = mod(text);
    assert.ok(Object.isFrozen(m));
    assert.ok(Object.isFrozen(m.credentials));
    assert.ok(Object.isFrozen(m.credentials.tls));
    assert.ok(Object.isFrozen(m.address));
  });
});

describe('environment', () => {
  test('braced and bare $VAR references expand in every value', () => {
    const m = mod(
      `[client]\nuser = ${ref('DB_USER')}\npassword = "$DB_PASS"\nhost = $DB_HOST\nport=${ref('DB_PORT')}\n`,
      'client',
      {
        env: { DB_USER: 'u1', DB_PASS: CANARY, DB_HOST: 'db.internal', DB_PORT: '3310' },
      },
    );
    assert.equal(m.credentials.user, 'u1');
    assert.equal(m.credentials.password.reveal(), CANARY);
    assert.deepEqual(m.address, { kind: 'tcp', host: 'db.internal', port: 3310 });
  });

  test('an expanded value is not expanded again', () => {
    assert.equal(
      mod(`[client]\nuser=u\npassword=${ref('P')}\n`, 'client', {
        env: { P: `$HOME${ref('X')}`, HOME: '/h' },
      }).credentials.password.reveal(),
      `$HOME${ref('X')}`,
    );
  });

  test('an unset variable expands to empty and warns; the password warning does not name it', () => {
    const r = parse(`[client]\nuser = ${ref('NO_USER')}x\npassword = ab$cdef\n`);
    const m = r.modules.get('client')!;
    assert.equal(m.credentials.user, 'x');
    assert.equal(m.credentials.password.reveal(), 'ab');
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [
        [2, 'user'],
        [3, 'password'],
      ],
    );
    assert.match(r.warnings[0]!.message, /\$NO_USER/);
    assert.ok(!r.warnings[1]!.message.includes('cdef'));
  });

  test('MYSQLD_EXPORTER_PASSWORD is the default [client] password; the file overrides it', () => {
    const env = { MYSQLD_EXPORTER_PASSWORD: CANARY };
    assert.equal(mod('[client]\nuser=u\n', 'client', { env }).credentials.password.reveal(), CANARY);
    assert.equal(
      mod('[client]\nuser=u\npassword=file\n', 'client', { env }).credentials.password.reveal(),
      'file',
    );
    assert.equal(mod('[client]\nuser=u\npassword=\n', 'client', { env }).credentials.password.reveal(), '');
    const r = parse('[client]\nuser=u\n[client.a]\nuser=a\n[client.b]\nuser=b\npassword=b\n', { env });
    assert.equal(r.modules.get('client.a')!.credentials.password.reveal(), CANARY);
    assert.equal(r.modules.get('client.b')!.credentials.password.reveal(), 'b');
  });

  test('MYSQLD_EXPORTER_PASSWORD is taken literally (no expansion of its own $)', () => {
    const env = { MYSQLD_EXPORTER_PASSWORD: 'a$HOME$$b', HOME: '/h' };
    assert.equal(mod('[client]\nuser=u\n', 'client', { env }).credentials.password.reveal(), 'a$HOME$$b');
  });
});

describe('flags and address defaults', () => {
  test('no host, port or socket: 127.0.0.1:3306', () => {
    assert.deepEqual(mod('[client]\nuser=u\n').address, { kind: 'tcp', host: '127.0.0.1', port: 3306 });
  });

  test('--mysqld.address and --mysqld.username fill an empty [client], then children inherit', () => {
    const defaults = { address: { kind: 'tcp', host: 'localhost', port: 3307 } as const, user: 'flaguser' };
    const r = parseMyCnf('[client]\npassword=p\nhost=\n[client.a]\nport=3308\n', opts({ defaults }));
    assert.deepEqual(r.modules.get('client')!.address, { kind: 'tcp', host: 'localhost', port: 3307 });
    assert.equal(r.modules.get('client')!.credentials.user, 'flaguser');
    assert.deepEqual(r.modules.get('client.a')!.address, { kind: 'tcp', host: 'localhost', port: 3308 });
    assert.equal(r.modules.get('client.a')!.credentials.user, 'flaguser');
  });

  test('file values win over the flags, field by field', () => {
    const defaults = { address: { kind: 'tcp', host: 'localhost', port: 3307 } as const, user: 'flaguser' };
    const m = mod('[client]\nuser=fileuser\nhost=db\n', 'client', { defaults });
    assert.equal(m.credentials.user, 'fileuser');
    assert.deepEqual(m.address, { kind: 'tcp', host: 'db', port: 3307 });
  });

  test('with no file at all, flags and MYSQLD_EXPORTER_PASSWORD make [client]', () => {
    const m = mod('', 'client', {
      env: { MYSQLD_EXPORTER_PASSWORD: CANARY },
      defaults: { user: 'u', address: { kind: 'socket', path: '/run/mysqld/mysqld.sock' } },
    });
    assert.equal(m.credentials.password.reveal(), CANARY);
    assert.deepEqual(m.address, { kind: 'socket', path: '/run/mysqld/mysqld.sock' });
  });

  test('socket becomes a unix socket address and wins over host', () => {
    assert.deepEqual(mod('[client]\nuser=u\nsocket=/var/run/mysqld.sock\nhost=db\n').address, {
      kind: 'socket',
      path: '/var/run/mysqld.sock',
    });
  });

  test('host = localhost stays TCP; IPv6 in brackets; port 0 is the default', () => {
    assert.deepEqual(mod('[client]\nuser=u\nhost=localhost\n').address, {
      kind: 'tcp',
      host: 'localhost',
      port: 3306,
    });
    assert.deepEqual(mod('[client]\nuser=u\nhost=[::1]\nport=0\n').address, {
      kind: 'tcp',
      host: '::1',
      port: 3306,
    });
  });
});

describe('TLS', () => {
  const tls = (lines: string, extra: Partial<MyCnfOptions> = {}) =>
    mod(`[client]\nuser=u\n${lines}\n`, 'client', extra).credentials.tls;

  test('no TLS keys: off', () => {
    assert.deepEqual(tls(''), { mode: 'off' });
  });

  test('files resolve against the cnf directory; absolute paths stay', () => {
    assert.deepEqual(tls('ssl-ca = certs/ca.pem\nssl-cert=../client.pem\nssl-key=/abs/key.pem'), {
      mode: 'verify',
      ca: '/etc/exporter/certs/ca.pem',
      cert: '/etc/client.pem',
      key: '/abs/key.pem',
    });
  });

  test('tls key as mysqld_exporter reads it', () => {
    assert.equal(tls('tls=true').mode, 'verify');
    assert.equal(tls('tls=false').mode, 'off');
    assert.equal(tls('tls=skip-verify').mode, 'skip-verify');
    const r = parse('[client]\nuser=u\ntls=preferred\n');
    assert.equal(r.modules.get('client')!.credentials.tls.mode, 'skip-verify');
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[3, 'tls']],
    );
  });

  test('ssl-mode as the MySQL client reads it', () => {
    assert.equal(tls('ssl-mode=DISABLED').mode, 'off');
    assert.equal(tls('ssl-mode=required').mode, 'skip-verify');
    assert.equal(tls('ssl-mode=VERIFY_IDENTITY').mode, 'verify');
    assert.equal(tls('ssl-mode=VERIFY_CA').mode, 'verify');
    assert.equal(tls('ssl-mode=PREFERRED').mode, 'skip-verify');
    assert.equal(tls('ssl-mode=REQUIRED\nssl-ca=ca.pem').mode, 'skip-verify');
  });

  test('implied modes: ssl-ca, ssl, skip-ssl, ssl-verify-server-cert, ssl-skip-verfication', () => {
    assert.equal(tls('ssl-ca=ca.pem').mode, 'verify');
    assert.equal(tls('ssl').mode, 'skip-verify');
    assert.equal(tls('ssl=1\nssl-verify-server-cert').mode, 'verify');
    assert.equal(tls('skip-ssl\nssl-ca=ca.pem').mode, 'off');
    assert.equal(tls('ssl-ca=ca.pem\nssl-skip-verfication').mode, 'skip-verify');
    assert.equal(tls('ssl-ca=ca.pem\nssl_skip_verification=true').mode, 'skip-verify');
    assert.equal(tls('ssl-ca=ca.pem\ntls=true\nssl-skip-verfication=0').mode, 'verify');
  });

  test('--tls.insecure-skip-verify makes TLS skip-verify unless a section turns it off', () => {
    const defaults = { tlsInsecureSkipVerify: true };
    assert.equal(tls('', { defaults }).mode, 'skip-verify');
    assert.equal(tls('tls=true', { defaults }).mode, 'skip-verify');
    assert.equal(tls('tls=false', { defaults }).mode, 'off');
  });

  test('server name and versions', () => {
    assert.deepEqual(tls('tls=true\ntls-server-name=db.internal\ntls-min-version=1.3'), {
      mode: 'verify',
      serverName: 'db.internal',
      minVersion: 'TLSv1.3',
    });
    assert.equal(tls('tls=true\ntls-min-version=TLSv1.2').minVersion, 'TLSv1.2');
    assert.equal(tls('tls=true\ntls-version=TLSv1.1,TLSv1.3,TLSv1.2').minVersion, 'TLSv1.2');
    assert.equal(tls('tls=true\ntls-min-version=1.2\ntls-max-version=1.3').minVersion, 'TLSv1.2');
  });

  test('the more specific section wins between tls and ssl-mode', () => {
    const r = parse(
      '[client]\nuser=u\ntls=true\n[client.a]\nssl-mode=DISABLED\n[client.b]\ntls=skip-verify\n',
    );
    assert.equal(r.modules.get('client')!.credentials.tls.mode, 'verify');
    assert.equal(r.modules.get('client.a')!.credentials.tls.mode, 'off');
    assert.equal(r.modules.get('client.b')!.credentials.tls.mode, 'skip-verify');
  });

  test('a child may clear an inherited CA with an empty value', () => {
    const r = parse('[client]\nuser=u\nssl-ca=/ca.pem\n[client.a]\nssl-ca=\n');
    assert.deepEqual(r.modules.get('client.a')!.credentials.tls, { mode: 'off' });
  });

  test('TLS files with TLS off warn', () => {
    const r = parse('[client]\nuser=u\ntls=false\nssl-ca=/ca.pem\n');
    assert.deepEqual(r.modules.get('client')!.credentials.tls, { mode: 'off' });
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[4, 'ssl-ca']],
    );
  });

  test('sections never share TLS settings by accident', () => {
    const r = parse('[client.a]\nuser=a\nssl-ca=a.pem\n[client.b]\nuser=b\nssl-ca=b.pem\n');
    assert.equal(r.modules.get('client.a')!.credentials.tls.ca, '/etc/exporter/a.pem');
    assert.equal(r.modules.get('client.b')!.credentials.tls.ca, '/etc/exporter/b.pem');
  });
});

describe('auth options', () => {
  test('enable-cleartext-plugin is off unless a section opts in', () => {
    const r = parse(
      '[client]\nuser=u\ntls=true\n[client.a]\nenable-cleartext-plugin\n[client.b]\nenable_cleartext_plugin=1\nskip-enable-cleartext-plugin\n',
    );
    assert.equal(r.modules.get('client')!.allowCleartext, false);
    assert.equal(r.modules.get('client.a')!.allowCleartext, true);
    assert.equal(r.modules.get('client.b')!.allowCleartext, false);
  });

  test('cleartext without TLS warns', () => {
    const r = parse('[client]\nuser=u\nenable-cleartext-plugin=true\n');
    assert.equal(r.modules.get('client')!.allowCleartext, true);
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[3, 'enable-cleartext-plugin']],
    );
  });

  test('server-public-key-path resolves against the cnf directory', () => {
    const m = mod('[client]\nuser=u\nserver-public-key-path = keys/server.pem\n');
    assert.equal(m.serverPublicKeyPath, '/etc/exporter/keys/server.pem');
    assert.equal('serverPublicKeyPath' in mod('[client]\nuser=u\n'), false);
  });
});

describe('errors: file, line and key, never the value', () => {
  const at = (p: ConfigProblem) => [p.source, p.line, p.key];

  test('a section without user names the section', () => {
    const p = onlyProblem(`[client]\npassword = ${CANARY}\n`);
    assert.deepEqual(at(p), [PATH, 1, 'user']);
    assert.match(p.message, /\[client\]/);
    const c = onlyProblem(`[client]\nuser=u\n[client.app]\nuser=\npassword=${CANARY}\n`);
    assert.deepEqual(at(c), [PATH, 3, 'user']);
    assert.match(c.message, /\[client\.app\]/);
  });

  test('an empty file and no flags: [client] has no user', () => {
    const p = onlyProblem('');
    assert.equal(p.key, 'user');
    assert.match(p.message, /--mysqld\.username/);
  });

  test('port not an integer, or out of range', () => {
    for (const bad of ['33o6', '65536', '-1', '3306.0', `${CANARY}`]) {
      const p = onlyProblem(`[client]\nuser=u\npassword=${CANARY}\nport = ${bad}\n`);
      assert.deepEqual(at(p), [PATH, 4, 'port']);
      assert.ok(!p.message.includes(bad), bad);
    }
  });

  test('a port from the environment is checked after expansion', () => {
    assert.throws(
      () => parse('[client]\nuser=u\nport=$PORT\n', { env: { PORT: 'abc' } }),
      (e: unknown) => e instanceof ConfigError && e.problems[0]?.key === 'port' && !e.message.includes('abc'),
    );
  });

  test('the password on a malformed line', () => {
    for (const line of [`password ${QCANARY}`, `password: ${QCANARY}`, `pass word = ${QCANARY}`]) {
      const p = onlyProblem(`[client]\nuser=u\n${line}\n`);
      assert.deepEqual(at(p), [PATH, 3, undefined]);
    }
  });

  test('a password alone on a line is an unknown bare option, never named', () => {
    const r = parse('[client]\nuser=u\nTopSecret42\n');
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[3, undefined]],
    );
    assert.ok(!JSON.stringify(r.warnings).includes('TopSecret42'));
  });

  test('a password before any section', () => {
    const p = onlyProblem(`password = ${CANARY}\n[client]\nuser=u\n`);
    assert.deepEqual(at(p), [PATH, 1, undefined]);
  });

  test('malformed section headers', () => {
    for (const header of ['[client', '[client.]', '[client..a]']) {
      const ps = problemsOf(`${header}\nuser=u\n[client.z]\nuser=z\n`);
      assert.deepEqual(
        ps.map((p) => [p.line, p.key]),
        [[1, undefined]],
        header,
      );
    }
  });

  test('other group names are skipped; text after ] warns without being quoted', () => {
    for (const header of ['[]', '[cli ent]', '[ client]']) {
      const r = parse(`${header}\nuser=x\n[client]\nuser=u\n`);
      assert.equal(r.modules.get('client')!.credentials.user, 'u', header);
    }
    const r = parse(`[client] ${CANARY}\nuser=u\n`);
    assert.equal(r.modules.get('client')!.credentials.user, 'u');
    assert.deepEqual(
      r.warnings.map((w) => [w.line, w.key]),
      [[1, undefined]],
    );
    assertNoCanary(r.warnings);
  });

  test('comment-like text: one warning each, never quoting the value', () => {
    const kept = parse('[client]\nuser=u\npassword = S3cret ; old password\n');
    assert.equal(kept.modules.get('client')!.credentials.password.reveal(), 'S3cret ; old password');
    assert.deepEqual(
      kept.warnings.map((w) => [w.line, w.key]),
      [[3, 'password']],
    );
    assert.match(kept.warnings[0]!.message, /not a comment/);
    assert.ok(!JSON.stringify(kept.warnings).includes('S3cret'));
    // An intended comment (space before #) and a quoted # are silent.
    assert.deepEqual(parse('[client]\nuser=u\npassword = S3cret   # note\n').warnings, []);
    assert.deepEqual(parse('[client]\nuser=u\npassword = "S3c#ret ; x"\n').warnings, []);
    // A # right after a character, or right after =, looks like part of the password: warned.
    for (const v of ['S3c#ret', '#S3cret']) {
      const r = parse(`[client]\nuser=u\npassword = ${v}\n`);
      assert.equal(r.warnings.length, 1, v);
      assert.match(r.warnings[0]!.message, /unquoted # starts a comment/);
    }
  });

  test('a value that the client would cut into invalid UTF-8 is an error', () => {
    const p = onlyProblem('[client]\nuser=u\npassword = voilà\n');
    assert.deepEqual(at(p), [PATH, 3, 'password']);
    assert.match(p.message, /quote the value/);
    assert.equal(password('[client]\nuser=u\npassword = "voilà"\n'), 'voilà');
  });

  test('!include and !includedir are errors in text (followed only in files)', () => {
    const ps = problemsOf(
      '!include /etc/mysql/secret.cnf\n[client]\nuser=u\n!includedir /etc/mysql/conf.d/\n',
    );
    assert.deepEqual(
      ps.map((p) => p.line),
      [1, 4],
    );
    assert.match(ps[0]!.message, /only followed in files/);
  });

  test('bad enumerations and booleans', () => {
    const ps = problemsOf(
      [
        '[client]',
        'user=u',
        `password=${CANARY}`,
        'ssl = maybe',
        'ssl-mode = SOMETIMES',
        'tls = custom',
        'tls-min-version = TLSv1.1',
        'tls-version = SSLv3',
        'host = db:3307',
        'socket = relative.sock',
        'tls-server-name = not a name',
        'user',
      ].join('\n'),
    );
    assert.deepEqual(
      ps.map((p) => [p.line, p.key]),
      [
        [4, 'ssl'],
        [5, 'ssl-mode'],
        [6, 'tls'],
        [7, 'tls-min-version'],
        [8, 'tls-version'],
        [9, 'host'],
        [10, 'socket'],
        [11, 'tls-server-name'],
        [12, 'user'],
      ],
    );
    for (const p of ps) {
      for (const v of ['maybe', 'SOMETIMES', 'custom', 'SSLv3', 'db:3307', 'relative.sock', 'not a name']) {
        assert.ok(!p.message.includes(v), `${p.key} quoted ${v}`);
      }
    }
  });

  test('tls and ssl-mode disagreeing in one section', () => {
    const p = onlyProblem('[client]\nuser=u\ntls=true\nssl-mode=DISABLED\n');
    assert.deepEqual(at(p), [PATH, 4, 'ssl-mode']);
    assert.match(p.message, /tls on line 3/);
  });

  test('ssl-cert without ssl-key', () => {
    const p = onlyProblem('[client]\nuser=u\ntls=true\nssl-cert=c.pem\n');
    assert.deepEqual(at(p), [PATH, 4, 'ssl-cert']);
  });

  test('tls-min-version above tls-max-version', () => {
    const p = onlyProblem('[client]\nuser=u\ntls=true\ntls-min-version=1.3\ntls-max-version=1.2\n');
    assert.deepEqual(at(p), [PATH, 5, 'tls-max-version']);
  });

  test('every problem at once, in line order', () => {
    const ps = problemsOf(
      `[client]\npassword=${QCANARY}\nport=x\n[client.a]\nuser=a\nport=99999\n${QCANARY}\n[client.b]\nuser=\n`,
    );
    assert.deepEqual(
      ps.map((p) => [p.line, p.key]),
      [
        [1, 'user'],
        [3, 'port'],
        [6, 'port'],
        [7, undefined],
        [8, 'user'],
      ],
    );
  });
});

describe('loadMyCnf', () => {
  let dir = '';
  before(async () => {
    dir = tempDir('my-cnf-test-');
    await mkdir(join(dir, 'certs'));
    await writeFile(join(dir, 'certs', 'ca.pem'), 'not really a certificate');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string | Uint8Array, mode = 0o600) => {
    const p = join(dir, name);
    await writeFile(p, text);
    await chmod(p, mode);
    return p;
  };

  test('reads the file and checks the TLS files it names, relative to its directory', async () => {
    const p = await write('ok.cnf', `[client]\nuser=u\npassword=${QCANARY}\nssl-ca=certs/ca.pem\n`);
    const r = await loadMyCnf(p, { env: {} });
    const m = r.modules.get('client')!;
    assert.equal(m.credentials.password.reveal(), CANARY);
    assert.equal(m.credentials.tls.ca, join(dir, 'certs', 'ca.pem'));
    assert.deepEqual(r.warnings, []);
  });

  test('a TLS file that does not exist: file, line, key, no path or value', async () => {
    const p = await write(
      'missing-ca.cnf',
      `[client]\nuser=u\npassword=${QCANARY}\nssl-ca=../../../etc/nope.pem\n`,
    );
    await assert.rejects(loadMyCnf(p, { env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.problems.map((x) => [x.source, x.line, x.key]),
        [[p, 4, 'ssl-ca']],
      );
      assert.ok(!e.message.includes('nope.pem'));
      assertNoCanary(e.problems, e.message);
      return true;
    });
  });

  test('a directory named as a TLS file', async () => {
    const p = await write('dir-ca.cnf', '[client]\nuser=u\nssl-ca=certs\n');
    await assert.rejects(loadMyCnf(p, { env: {} }), /directory/);
  });

  test('a missing file is an error naming the path', async () => {
    const p = join(dir, 'absent.cnf');
    await assert.rejects(loadMyCnf(p, { env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems[0]!.source, p);
      assert.match(e.message, /absent\.cnf.*not found/);
      return true;
    });
  });

  test('a missing optional file reads as empty', async () => {
    const r = await loadMyCnf(join(dir, 'absent.cnf'), {
      env: { MYSQLD_EXPORTER_PASSWORD: CANARY },
      defaults: { user: 'u' },
      optional: true,
    });
    assert.equal(r.modules.get('client')!.credentials.password.reveal(), CANARY);
  });

  test('a directory, or a file that is not UTF-8', async () => {
    await assert.rejects(loadMyCnf(dir, { env: {} }), /not a regular file/);
    const latin1 = Uint8Array.from([...Buffer.from('[client]\nuser=u\npassword=gr'), 0xfc, 0x6e, 0x0a]);
    const p = await write('latin1.cnf', latin1);
    await assert.rejects(loadMyCnf(p, { env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems[0]!.line, 3);
      assert.ok(!e.message.includes('gr'));
      return true;
    });
  });

  test('permission denied on the file, through an injected fs', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
    const fs = {
      stat: async () => ({ isFile: () => true, size: 10, mode: 0o600 }),
      readFile: async () => {
        throw denied;
      },
      access: async () => {},
    };
    await assert.rejects(loadMyCnf('/secret/my.cnf', { env: {}, fs }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems, [{ source: '/secret/my.cnf', message: 'permission denied' }]);
      return true;
    });
  });

  test('!include: relative to the working directory, an include cycle stops at depth 10 with a warning', async () => {
    const loop = await write('loop.cnf', '[client]\nuser=u\n!include loop.cnf\n');
    const r = await loadMyCnf(loop, { env: {}, cwd: dir });
    assert.equal(r.modules.get('client')!.credentials.user, 'u');
    assert.equal(r.warnings.filter((w) => /nested more than 10/.test(w.message)).length, 1);
  });

  test('!include of a missing file warns and is skipped; a missing !includedir is an error', async () => {
    const p = await write('inc-missing.cnf', '[client]\nuser=u\n!include nope.cnf\n');
    const r = await loadMyCnf(p, { env: {}, cwd: dir });
    assert.deepEqual(
      r.warnings.map((w) => [w.source, w.line]),
      [[p, 3]],
    );
    const q = await write('incdir-missing.cnf', '[client]\nuser=u\n!includedir no-such-dir\n');
    await assert.rejects(loadMyCnf(q, { env: {}, cwd: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.problems.map((x) => [x.source, x.line]),
        [[q, 3]],
      );
      return true;
    });
  });

  test('an included world-writable file is ignored with a warning (as by the client); a top-level one is an error', async () => {
    await write('ww.cnf', `[client]\npassword=${QCANARY}\n`, 0o666);
    const p = await write('inc-ww.cnf', '[client]\nuser=u\n!include ww.cnf\n');
    const r = await loadMyCnf(p, { env: {}, cwd: dir });
    assert.equal(r.modules.get('client')!.credentials.password.reveal(), '');
    assert.ok(
      r.warnings.some((w) => w.source === join(dir, 'ww.cnf') && /writable by every user/.test(w.message)),
    );
    await assert.rejects(loadMyCnf(join(dir, 'ww.cnf'), { env: {} }), /writable by every user/);
  });

  test('paths in an included file resolve against its own directory; problems name that file', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'tls.cnf'), '[client]\nssl-ca = ../certs/ca.pem\nport = x\n', { mode: 0o600 });
    const p = await write('inc-tls.cnf', '[client]\nuser=u\n!include sub/tls.cnf\n');
    await assert.rejects(loadMyCnf(p, { env: {}, cwd: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.problems.map((x) => [x.source, x.line, x.key]),
        [[join(sub, 'tls.cnf'), 3, 'port']],
      );
      return true;
    });
    await writeFile(join(sub, 'tls.cnf'), '[client]\nssl-ca = ../certs/ca.pem\n', { mode: 0o600 });
    const m = (await loadMyCnf(p, { env: {}, cwd: dir })).modules.get('client')!;
    assert.equal(m.credentials.tls.ca, join(dir, 'certs', 'ca.pem'));
  });

  test('a world-readable file warns', async () => {
    const p = await write('open.cnf', '[client]\nuser=u\n', 0o644);
    const r = await loadMyCnf(p, { env: {} });
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.source, p);
    assert.match(r.warnings[0]!.message, /chmod 600/);
  });
});

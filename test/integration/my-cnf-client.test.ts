/**
 * The option-file rules (docs/my-cnf.md) checked against the real MariaDB client: for every case, the
 * file is written to a temporary directory, `mariadb --defaults-file=FILE --print-defaults` prints what
 * the client read, and loadMyCnf must read the same [client] user and password. Cases the exporter
 * refuses on purpose (a value that would not be valid UTF-8 after the client's byte rules) expect an
 * error instead. Needs the `mariadb` client (Debian package mariadb-client); fails loudly without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadMyCnf } from '../../src/config/my-cnf.js';
import { ConfigError } from '../../src/errors.js';

interface Case {
  readonly name: string;
  /** Body of my.cnf after a `[client]` header and `user = u` line (unless `raw`). */
  readonly body: string | Uint8Array;
  /** The whole file as written (no header added). */
  readonly raw?: boolean;
  /** Other files, relative to the case directory. */
  readonly files?: Readonly<Record<string, string>>;
  /** The exporter refuses this file on purpose (the client reads something unusable). */
  readonly refuse?: RegExp;
}

const B = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const CASES: readonly Case[] = [
  { name: 'plain', body: 'password = S3cret\n' },
  { name: 'no spaces around =', body: 'password=S3cret\n' },
  { name: 'comment after the value, with spaces', body: 'password = S3cret   # the exporter password\n' },
  { name: '# right after the value starts a comment', body: 'password = S3c#ret\n' },
  { name: '# in double quotes is kept', body: 'password = "S3c#ret" # comment\n' },
  { name: '# in single quotes is kept', body: "password = 'S3c # ret'\n" },
  { name: 'a quote mid-value protects a later #', body: "password = it's#kept\n" },
  { name: 'quotes mid-value stay', body: 'password = a"#"b\n' },
  { name: '; never starts a comment after a value', body: 'password = a;b ; c\n' },
  {
    name: '; and # at the start of a line are comments',
    body: '; password = no\n  # password = no\npassword = yes\n',
  },
  { name: 'escaped quote inside double quotes', body: 'password = "a\\"#b"\n' },
  { name: 'escaped backslash then quote ends the quoted part', body: 'password = "a\\\\"#b"\n' },
  { name: 'escapes \\t \\s \\\\ and unknown \\q, unquoted', body: 'password = a\\tb\\sc\\qd\\\\e\n' },
  { name: 'escapes in single quotes too', body: "password = 'a\\'b\\\\c'\n" },
  { name: 'a lone trailing backslash stays', body: 'password = abc\\\n' },
  { name: 'backslash before # outside quotes does not protect it', body: 'password = a\\#b\n' },
  { name: 'outer spaces kept inside quotes', body: 'password =   "  padded  "  \n' },
  { name: 'unbalanced leading quote is literal', body: 'password = "abc\n' },
  { name: 'first and last quote removed, inner quote kept', body: 'password = "a"b"\n' },
  { name: 'two quoted parts', body: 'password = "a" "b"\n' },
  { name: 'a single quote character', body: 'password = "\n' },
  { name: 'empty quotes', body: 'password = ""\n' },
  { name: 'empty value', body: 'password =\n' },
  { name: 'tabs, vertical tab, form feed trimmed', body: 'password =\t\x0bS3cret\x0c\t\n' },
  { name: 'CRLF', body: 'password = S3cret\r\n' },
  { name: 'no final newline', body: 'password = S3cret' },
  { name: 'special characters', body: 'password = Cn4ry?@x;%2F=+ü/日本\n' },
  { name: 'key with spaces around it', body: '   password    =    x y  \n' },
  { name: 'key case', body: 'PASSWORD = Upper\n' },
  { name: 'later line wins', body: 'password = first\npassword = second\n' },
  { name: 'NBSP inside a quoted value', body: 'password = "a\u00a0"\n' },
  {
    name: 'a value ending in à (bytes C3 A0) loses its A0 byte in the client',
    body: 'password = café à\n',
    refuse: /0xA0|quote/,
  },
  {
    name: 'the same value quoted is kept',
    body: 'password = "café à"\n',
  },
  { name: 'group names ignore case', raw: true, body: '[CLIENT]\nuser = u\npassword = x\n' },
  {
    name: 'a leading space makes another group',
    raw: true,
    body: '[client]\nuser = u\n[ client]\npassword = not-read\n',
  },
  {
    name: 'trailing spaces in a group name are trimmed',
    raw: true,
    body: '[client  ]\nuser = u\npassword = x\n',
  },
  { name: 'a comment after the group header', raw: true, body: '[client] # main\nuser = u\npassword = x\n' },
  {
    name: 'other groups are not [client]',
    raw: true,
    body: '[client]\nuser = u\n[mysqld]\npassword = server\n[client]\npassword = back\n',
  },
  {
    name: '!include (absolute or relative to the working directory) reads the file',
    raw: true,
    body: '[client]\npassword = x\n!include inc/a.cnf\n',
    files: { 'inc/a.cnf': '[client]\nuser = included\n' },
  },
  {
    name: '!include keeps the outer group afterwards',
    raw: true,
    body: '[mysqld]\n!include inc/a.cnf\npassword = server-only\n',
    files: { 'inc/a.cnf': '[client]\nuser = included\npassword = inner\n' },
  },
  {
    name: '! include with a space, and a missing include file is skipped',
    raw: true,
    body: '[client]\nuser = u\n! include inc/a.cnf\n!include inc/missing.cnf\n',
    files: { 'inc/a.cnf': '[client]\npassword = from-include\n' },
  },
  {
    name: '!includedir reads *.cnf only, in name order',
    raw: true,
    body: '[client]\nuser = u\npassword = outer\n!includedir conf.d\n',
    files: {
      'conf.d/b.cnf': '[client]\npassword = from-b\n',
      'conf.d/a.cnf': '[client]\npassword = from-a\nuser = a\n',
      'conf.d/c.txt': '[client]\npassword = from-txt\n',
    },
  },
  {
    name: 'unknown directives are ignored',
    raw: true,
    body: '[client]\nuser = u\n!includex x\n!bogus\npassword = p\n',
  },
];

let dir = '';
before(() => {
  const probe = spawnSync('mariadb', ['--version'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, `the mariadb client is needed for this test: ${probe.error ?? probe.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'my-cnf-client-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `--user=u --password=p ` -> the last user and password the client read (names in any case). */
function clientRead(cwd: string, file: string): { user?: string; password?: string } {
  const r = spawnSync('mariadb', [`--defaults-file=${file}`, '--print-defaults'], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `mariadb --print-defaults: ${r.stderr}`);
  const text = r.stdout.slice(r.stdout.indexOf('\n') + 1).replace(/ \n$/, '');
  const out: { user?: string; password?: string } = {};
  const parts = text
    .split(/(?:^| )--(?=(?:user|password|host|port|socket)(?:=| |$))/i)
    .filter((s) => s !== '');
  for (const p of parts) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).toLowerCase(); // option names ignore case
    if (key === 'user' || key === 'password') out[key] = eq < 0 ? '' : p.slice(eq + 1);
  }
  return out;
}

describe('option files: the exporter reads what `mariadb --print-defaults` reads', () => {
  CASES.forEach((c, i) => {
    test(c.name, async () => {
      const caseDir = join(dir, `case${i}`);
      mkdirSync(caseDir);
      for (const [name, text] of Object.entries(c.files ?? {})) {
        mkdirSync(dirname(join(caseDir, name)), { recursive: true });
        writeFileSync(join(caseDir, name), text, { mode: 0o600 });
      }
      const file = join(caseDir, 'my.cnf');
      const body = c.raw
        ? c.body
        : B('[client]\nuser = u\n', typeof c.body === 'string' ? c.body : [...c.body]);
      writeFileSync(file, body, { mode: 0o600 });
      const client = clientRead(caseDir, file);
      const load = loadMyCnf(file, { env: {}, cwd: caseDir } as Parameters<typeof loadMyCnf>[1]);
      if (c.refuse) {
        await assert.rejects(load, (e: unknown) => e instanceof ConfigError && c.refuse!.test(e.message));
        return;
      }
      const m = (await load).modules.get('client');
      assert.ok(m, 'a [client] module');
      assert.deepEqual(
        { user: m.credentials.user, password: m.credentials.password.reveal() },
        { user: client.user ?? '', password: client.password ?? '' },
      );
    });
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AllowRule, classifyHost, parseAllowRule } from '../../../src/config/allow-rule.js';
import { checkTarget } from '../../../src/http/probe-allow.js';
import { parseAddress } from '../../../src/db/address.js';

function rules(...patterns: string[]): AllowRule[] {
  return patterns.map((p) => {
    const r = parseAllowRule(p);
    if (typeof r === 'string') throw new Error(`${p}: ${r}`);
    return r;
  });
}

function allowed(rs: AllowRule[], target: string): boolean | number {
  const a = parseAddress(target);
  if (!a) return 400;
  const d = checkTarget(rs, a);
  return d.allowed ? true : d.status;
}

test('deny by default', () => {
  assert.equal(allowed([], '127.0.0.1:3306'), 403);
  assert.equal(allowed([], 'unix:///run/mysqld/mysqld.sock'), 403);
});

test('exact host:port', () => {
  const rs = rules('db1.internal:3306', '127.0.0.1:3307', '[::1]:3306');
  assert.equal(allowed(rs, 'db1.internal:3306'), true);
  assert.equal(allowed(rs, 'DB1.internal:3306'), true);
  assert.equal(allowed(rs, 'db1.internal:3307'), 403);
  assert.equal(allowed(rs, '127.0.0.1:3307'), true);
  assert.equal(allowed(rs, '[::1]:3306'), true);
  assert.equal(allowed(rs, '[0:0:0:0:0:0:0:1]:3306'), true);
  assert.equal(allowed(rs, '127.0.0.1:3306'), 403);
});

test('host wildcards match names only, with or without a port', () => {
  const rs = rules('*.db.internal:3306', 'mysql-0');
  assert.equal(allowed(rs, 'a.db.internal:3306'), true);
  assert.equal(allowed(rs, 'a.b.db.internal:3306'), true);
  assert.equal(allowed(rs, 'db.internal:3306'), 403);
  assert.equal(allowed(rs, 'evildb.internal:3306'), 403);
  assert.equal(allowed(rs, 'a.db.internal:3307'), 403);
  assert.equal(allowed(rs, 'mysql-0:3306'), true);
  assert.equal(allowed(rs, 'mysql-0:9999'), true);
});

test('CIDR blocks match IP literals, optionally one port', () => {
  const rs = rules('10.0.0.0/8', '127.0.0.1/32:3306', '[fd00::]/8:3306');
  assert.equal(allowed(rs, '10.1.2.3:3306'), true);
  assert.equal(allowed(rs, '11.1.2.3:3306'), 403);
  assert.equal(allowed(rs, '127.0.0.1:3306'), true);
  assert.equal(allowed(rs, '127.0.0.1:22'), 403);
  assert.equal(allowed(rs, '[fd12::1]:3306'), true);
  assert.equal(allowed(rs, '[fe80::1]:3306'), 403);
});

test('numeric shorthand hosts are refused before any pattern is consulted', () => {
  const rs = rules('127.0.0.0/8', '*.internal');
  for (const t of ['2130706433:3306', '0x7f.1:3306', '127.1:3306', '0x7f000001:3306', '017700000001:3306']) {
    assert.equal(allowed(rs, t), 400, t);
  }
  assert.equal(classifyHost('db-1.example.com'), 'name');
  assert.equal(classifyHost('::ffff:127.0.0.1'), 'ip');
});

test('unix sockets match their exact path', () => {
  const rs = rules('unix:///run/mysqld/mysqld.sock');
  assert.equal(allowed(rs, 'unix:///run/mysqld/mysqld.sock'), true);
  assert.equal(allowed(rs, 'unix:///var/run/docker.sock'), 403);
});

test('bad patterns are reported', () => {
  for (const bad of ['10.0.0.0/33', 'host:0', 'unix://relative', 'a b', '[zz::]/8', 'db:3306:1']) {
    assert.equal(typeof parseAllowRule(bad), 'string', bad);
  }
});

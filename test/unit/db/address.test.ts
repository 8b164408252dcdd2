import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, parseAddress } from '../../../src/db/address.js';

test('parses host:port, bare host, IPv6 and unix sockets', () => {
  assert.deepEqual(parseAddress('db1:3307'), { kind: 'tcp', host: 'db1', port: 3307 });
  assert.deepEqual(parseAddress('127.0.0.1'), { kind: 'tcp', host: '127.0.0.1', port: 3306 });
  assert.deepEqual(parseAddress('[::1]:3306'), { kind: 'tcp', host: '::1', port: 3306 });
  assert.deepEqual(parseAddress('unix:///run/mysqld/mysqld.sock'), {
    kind: 'socket',
    path: '/run/mysqld/mysqld.sock',
  });
  assert.deepEqual(parseAddress('/tmp/x.sock'), { kind: 'socket', path: '/tmp/x.sock' });
});

test('refuses credentials, URLs, bad ports and junk', () => {
  for (const bad of [
    'user:pw@db:3306',
    'mysql://db',
    'db:0',
    'db:70000',
    'db:',
    'db:3306:1',
    'unix://relative',
    '',
    'a b:1',
    'x'.repeat(2000),
  ]) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

test('address keys are label-safe and carry no credentials', () => {
  assert.equal(addressKey({ kind: 'tcp', host: '::1', port: 3306 }), '[::1]:3306');
  assert.equal(addressKey({ kind: 'socket', path: '/s' }), 'unix:///s');
});

test('host names and IPv6 hex digits are case-insensitive: one spelling per target (one pool)', () => {
  assert.deepEqual(parseAddress('LOCALHOST:3306'), parseAddress('localhost:3306'));
  assert.deepEqual(parseAddress('Db1.Example.COM'), { kind: 'tcp', host: 'db1.example.com', port: 3306 });
  assert.deepEqual(parseAddress('[FE80::1]:3307'), parseAddress('[fe80::1]:3307'));
});

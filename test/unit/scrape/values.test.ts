import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelValue, parseNumber, parseStatusValue } from '../../../src/model/values.js';

test('parseNumber accepts plain decimal numbers only', () => {
  assert.equal(parseNumber('42'), 42);
  assert.equal(parseNumber('-44798456'), -44798456);
  assert.equal(parseNumber('3.5e2'), 350);
  assert.equal(parseNumber('0.000001'), 0.000001);
  assert.equal(parseNumber(7), 7);
  for (const bad of ['', ' 42 ', '0x1A', 'Infinity', 'NaN', '12abc', 'abc', '1e309', '-']) {
    assert.equal(parseNumber(bad), undefined, `expected ${JSON.stringify(bad)} to be rejected`);
  }
  assert.equal(parseNumber(null), undefined);
  assert.equal(parseNumber(Number.NaN), undefined);
});

test('parseNumber keeps float64 precision semantics for huge counters', () => {
  assert.equal(parseNumber('18446744073709551615'), 2 ** 64);
});

test('parseStatusValue maps mysqld_exporter words, case-insensitively', () => {
  for (const w of ['ON', 'on', 'YES', 'Yes', 'Primary']) assert.equal(parseStatusValue(w), 1, w);
  for (const w of ['OFF', 'No', 'Connecting', 'non-Primary', 'Disconnected', 'DISABLED'])
    assert.equal(parseStatusValue(w), 0, w);
  assert.equal(parseStatusValue('TRUE'), undefined);
  assert.equal(parseStatusValue('mysql-bin.000123'), undefined);
  assert.equal(parseStatusValue('5c2e2d1f-8e5e-11ec-9d64-0242ac120002'), undefined);
});

test('parseStatusValue parses the two timestamp shapes to Unix seconds', () => {
  assert.equal(parseStatusValue('2024-01-02 03:04:05'), Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
  assert.equal(parseStatusValue('Jan  2 15:04:05 2026 GMT'), Date.UTC(2026, 0, 2, 15, 4, 5) / 1000);
  assert.equal(parseStatusValue('Dec 31 23:59:59 2030 GMT'), Date.UTC(2030, 11, 31, 23, 59, 59) / 1000);
});

test('labelValue turns NULL into the empty string', () => {
  assert.equal(labelValue(null), '');
  assert.equal(labelValue('x'), 'x');
  assert.equal(labelValue(3), '3');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atLeast, parseRange, parseServerInfo, supportPredicate } from '../../../src/model/server-info.js';

test('flavor and version from @@version and @@version_comment', () => {
  const maria = parseServerInfo('10.11.19-MariaDB-0+deb12u1', 'Debian 12');
  assert.equal(maria?.flavor, 'mariadb');
  assert.deepEqual(maria?.version, { major: 10, minor: 11, patch: 19 });
  const old = parseServerInfo('5.5.5-10.3.39-MariaDB');
  assert.equal(old?.flavor, 'mariadb');
  assert.equal(old?.version.major, 10);
  const percona = parseServerInfo('8.0.32-24', 'Percona Server (GPL), Release 24');
  assert.equal(percona?.flavor, 'mysql');
  assert.equal(percona?.percona, true);
  assert.equal(parseServerInfo('garbage'), undefined);
});

test('ranges are per flavor, not a float comparison', () => {
  const supports = supportPredicate({ mysql: '>=8.0.22' });
  assert.equal(supports(parseServerInfo('8.0.22')!), true);
  assert.equal(supports(parseServerInfo('8.0.21')!), false);
  assert.equal(supports(parseServerInfo('10.11.2-MariaDB')!), false, 'MariaDB 10.11 is not MySQL >= 8.0.22');
  const both = supportPredicate({ mysql: '>=5.7', mariadb: '>=10.5 <11.4' });
  assert.equal(both(parseServerInfo('11.4.5-MariaDB')!), false);
  assert.equal(both(parseServerInfo('10.6.1-MariaDB')!), true);
  assert.equal(parseRange('>=8 <9')?.({ major: 8, minor: 4, patch: 0 }), true);
  assert.equal(parseRange('>=x'), undefined);
  assert.throws(() => supportPredicate({ mysql: 'newest' }));
  assert.equal(atLeast(parseServerInfo('8.0.30')!, 8, 0, 22), true);
});

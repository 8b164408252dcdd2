/** The statement allow-list: which SQL a query file may hold, and which output columns it names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatement } from '../../../src/declarative/sql-check.js';

const ACCEPTED: ReadonlyArray<readonly [string, readonly string[] | undefined]> = [
  ['SELECT 1 AS v', ['v']],
  ['select a, t.b, `c d` from t', ['a', 'b', 'c d']],
  ['SELECT a FROM t;', ['a']],
  ['SELECT a FROM t ;  -- trailing comment', ['a']],
  ['SELECT DISTINCT SQL_NO_CACHE a AS x FROM t', ['x']],
  ['SELECT * FROM performance_schema.events_waits_summary_global_by_event_name', undefined],
  ['SELECT COUNT(*) FROM t', undefined],
  ['SELECT COUNT(*) n FROM t', undefined],
  ['SELECT CAST(a AS CHAR) AS a FROM t', ['a']],
  [
    "SELECT REPLACE(name, '/', '_') AS name, INSERT(s, 1, 2, 'x') AS s, TRUNCATE(v, 2) AS v FROM t",
    ['name', 's', 'v'],
  ],
  ['SELECT \'a;b\' AS s, "DROP TABLE t" AS d', ['s', 'd']],
  ['SELECT `delete`, `update` FROM t', ['delete', 'update']],
  ['SELECT update_time FROM information_schema.tables', ['update_time']],
  ['SELECT 1 AS v /* DELETE FROM t; */', ['v']],
  ['SELECT 1 AS v -- ; DROP TABLE t', ['v']],
  ['SELECT 1 AS v # ; DROP TABLE t', ['v']],
  ['SELECT 1--1 AS v', ['v']],
  ['SELECT /*+ MAX_EXECUTION_TIME(1000) */ a FROM t', ['a']],
  ['SELECT a /*!80000 , b */ FROM t', ['a', 'b']],
  ['WITH x AS (SELECT a FROM t) SELECT a FROM x', ['a']],
  ['WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r', ['n']],
  ['SELECT a FROM t UNION SELECT b FROM u', ['a']],
  ['SELECT a FROM (SELECT a FROM t) AS d', ['a']],
  ['SELECT SLEEP(1) AS v', ['v']],
  ['SHOW GLOBAL STATUS', undefined],
  ["SHOW GLOBAL VARIABLES LIKE 'max_connections'", undefined],
  ['SHOW ENGINE INNODB STATUS', undefined],
  ['SHOW CHARACTER SET', undefined],
  ['SELECT CONVERT(a USING utf8mb4) AS a FROM t', ['a']],
  ['SELECT a FROM t FOR SYSTEM_TIME ALL', ['a']],
];

const REFUSED: ReadonlyArray<readonly [string, RegExp]> = [
  ['', /empty/],
  ['  ; ', /empty/],
  ['DELETE FROM t1.t', /only SELECT, SHOW and WITH/],
  ['INSERT INTO t VALUES (1)', /only SELECT/],
  ['UPDATE t SET a = 1', /only SELECT/],
  ['REPLACE INTO t VALUES (1)', /only SELECT/],
  ['DROP TABLE t', /only SELECT/],
  ['TRUNCATE TABLE t', /only SELECT/],
  ['CREATE TABLE x (a INT)', /only SELECT/],
  ['SET GLOBAL read_only = 0', /only SELECT/],
  ['CALL p()', /only SELECT/],
  ['DO SLEEP(1)', /only SELECT/],
  ['EXPLAIN SELECT 1', /only SELECT/],
  ['DESCRIBE t', /only SELECT/],
  ['DESC t', /only SELECT/],
  ['TABLE t', /only SELECT/],
  ['(SELECT 1)', /only SELECT/],
  ['SELECT 1; DROP TABLE t', /only one statement/],
  ['SELECT 1;; ', /only one statement/],
  ['SELECT 1; SELECT 2', /only one statement/],
  ['SELECT 1 /* x */; DROP TABLE t', /only one statement/],
  ['SELECT 1 -- x\n; DROP TABLE t', /only one statement/],
  ['SELECT 1 /*! ; DROP TABLE t */', /only one statement/],
  ['SELECT 1 /*!50000 ; DROP TABLE t */', /only one statement/],
  ['SELECT 1 /*M!100100 ; DROP TABLE t */', /only one statement/],
  ["SELECT * FROM t INTO OUTFILE '/tmp/x'", /INTO is not allowed/],
  ["SELECT * FROM t INTO DUMPFILE '/tmp/x'", /INTO is not allowed/],
  ['SELECT a INTO @x FROM t', /INTO is not allowed/],
  ["SELECT 1 /*! INTO OUTFILE '/tmp/x' */", /INTO is not allowed/],
  ['SELECT a FROM t FOR UPDATE', /UPDATE is not allowed/],
  ['SELECT a FROM t FOR SHARE', /SHARE is not allowed/],
  ['SELECT a FROM t LOCK IN SHARE MODE', /LOCK is not allowed/],
  ['WITH d AS (SELECT 1) DELETE FROM t', /DELETE is not allowed|must end in a SELECT/],
  ['WITH d AS (SELECT 1 AS a) UPDATE t SET a = 1', /UPDATE is not allowed|must end in a SELECT/],
  ["SELECT LOAD_FILE('/etc/passwd') AS f", /LOAD_FILE\(\) is not allowed/],
  ["SELECT GET_LOCK('x', 10) AS l", /GET_LOCK\(\) is not allowed/],
  ['SELECT NEXTVAL(s) AS v', /NEXTVAL\(\) is not allowed/],
  ['SELECT SETVAL(s, 1) AS v', /SETVAL\(\) is not allowed/],
  ['SELECT NEXT VALUE FOR s AS v', /NEXT VALUE FOR is not allowed/],
  ["SELECT 'unterminated", /unterminated string/],
  ['SELECT `unterminated', /unterminated quoted identifier/],
  ['SELECT 1 /* unterminated', /unterminated comment/],
  ['SELECT 1 /*! unterminated', /unterminated executable comment/],
  ["SELECT 'a\\' ; DROP TABLE t; -- '", /backslash/],
  ['SELECT 1 /*! /* x */ */', /nested/],
  ['SELECT 1 /*! -- x\n */', /line comment inside an executable comment/],
];

for (const [sql, columns] of ACCEPTED) {
  test(`accepted: ${JSON.stringify(sql)}`, () => {
    const r = checkStatement(sql);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepEqual(r.columns, columns);
  });
}

for (const [sql, reason] of REFUSED) {
  test(`refused: ${JSON.stringify(sql)}`, () => {
    const r = checkStatement(sql);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  });
}

/**
 * `npm run demo`: runs the exporter. With no server configured (no --config.my-cnf, no
 * --mysqld.address, no ~/.my.cnf), it first starts a throwaway MariaDB from this machine's own
 * binaries in a temp directory on a free loopback port, with a least-privilege exporter account,
 * and removes it again on Ctrl-C. It installs nothing: when MariaDB is missing it says what to install.
 * Extra arguments after `--` go to the exporter, e.g. `npm run demo -- --collect.all`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { main } from '../src/main.js';
import { type MariaDb, createExporterUser, startMariaDb } from '../test/helpers/mariadb.js';
import { removeTempDir, tempDir } from '../test/helpers/tmp.js';
import { chooseDemoListen } from './lib/demo-port.js';

const args = process.argv.slice(2);
const say = (s: string) => process.stderr.write(`demo: ${s}\n`);

const configured =
  args.some((a) => a.startsWith('--config.my-cnf') || a.startsWith('--mysqld.address')) ||
  existsSync(join(homedir(), '.my.cnf'));

let db: MariaDb | undefined;
let cnfDir: string | undefined;
const exporterArgs = [...args];
// 9104 when it is free; otherwise a free port, and the demo says which (and how to choose one).
const listen = await chooseDemoListen(args);
if (listen.arg) exporterArgs.push(listen.arg);
if (listen.note) say(listen.note);
if (listen.taken) process.exit(1);

// Until the exporter takes over Ctrl-C (a graceful stop), an interrupt exits at once through the
// process's exit hooks, which stop the MariaDB child and remove the temporary directories. Node's
// default would end the process without running them and leave the datadir behind.
const interrupted = () => process.exit(130);
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

if (!configured) {
  say('no server configured: starting a throwaway MariaDB (this takes a few seconds the first time)...');
  try {
    db = await startMariaDb({
      args: [
        '--userstat=ON',
        '--log-bin=demo-bin',
        '--server-id=1',
        '--plugin-load-add=query_response_time',
        '--query-response-time-stats=ON',
      ],
    });
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    say(
      'to run the demo without a server of your own, install MariaDB first: sudo apt-get install mariadb-server',
    );
    say(
      'or point the exporter at your server: npm run demo -- --mysqld.address=HOST:PORT --mysqld.username=USER',
    );
    process.exit(1);
  }
  const password = randomBytes(12).toString('base64url');
  await createExporterUser(db, 'exporter', password);
  cnfDir = tempDir('mysql-exporter-demo-');
  const cnf = join(cnfDir, 'my.cnf');
  writeFileSync(
    cnf,
    `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = exporter\npassword = ${password}\n`,
    { mode: 0o600 },
  );
  exporterArgs.push(`--config.my-cnf=${cnf}`);
  say(`MariaDB ready on 127.0.0.1:${db.port} (datadir ${db.dir}); exporter user 'exporter'`);
}

say(
  `starting the exporter: open http://${listen.address}/ and http://${listen.address}/metrics (Ctrl-C stops everything)`,
);
process.off('SIGINT', interrupted);
process.off('SIGTERM', interrupted);
const code = await main({
  argv: exporterArgs,
  env: process.env,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
if (db) {
  say('stopping the throwaway MariaDB...');
  await db.destroy();
}
if (cnfDir) removeTempDir(cnfDir);
process.exit(code);

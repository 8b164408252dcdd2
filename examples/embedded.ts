/**
 * An express app that serves its own routes and metrics and mounts mysql-exporter beside them:
 * GET /hello is the app, GET /metrics has the MySQL metrics and the app's own counter.
 *
 *   npx tsx examples/embedded.ts --config.my-cnf=$HOME/.my.cnf
 */
import express from 'express';
import { Counter, Registry } from 'prom-client';
import { createEmbeddedExporter } from '../src/embed.js';

export async function buildApp(exporterArgs: readonly string[]) {
  const registry = new Registry();
  const hellos = new Counter({
    name: 'app_hello_requests_total',
    help: 'Hello requests served.',
    registers: [registry],
  });
  const mysql = await createEmbeddedExporter({
    argv: exporterArgs,
    registries: [registry],
    env: process.env,
  });
  const app = express();
  app.get('/hello', (_req, res) => {
    hellos.inc();
    res.send('hello\n');
  });
  app.use(mysql.router);
  return { app, close: () => mysql.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await buildApp(process.argv.slice(2));
  app.listen(3000, '127.0.0.1', () =>
    process.stderr.write('listening on http://127.0.0.1:3000 (/hello, /metrics)\n'),
  );
}

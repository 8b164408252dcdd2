import assert from 'node:assert/strict';
import { test } from 'node:test';
import { landingPage } from '../../../src/http/landing.js';
import type { Collector } from '../../../src/model/collector.js';

const c = (name: string, help: string): Collector => ({
  name,
  help,
  enabledByDefault: true,
  supports: () => true,
  collect: async () => [],
});

test('the landing page shows endpoints, each target with its collectors, and escapes everything', () => {
  const html = landingPage({
    version: '1.2.3',
    telemetryPath: '/metrics',
    collectors: [c('global_status', 'Collect from SHOW GLOBAL STATUS'), c('mysql.user', '<script>')],
    enabled: new Set(['global_status']),
    now: new Date('2026-01-01T00:01:00Z'),
    lastScrapes: [
      {
        target: '127.0.0.1:3306',
        module: 'client',
        at: new Date('2026-01-01T00:00:30Z'),
        up: true,
        collectors: [
          { name: 'global_status', success: true, durationSeconds: 0.0123 },
          {
            name: 'slave_status',
            success: false,
            durationSeconds: 0.5,
            error: 'ER_SPECIFIC_ACCESS_DENIED <x>',
          },
        ],
      },
      {
        target: 'db2:3306',
        module: 'client.fleet',
        at: new Date('2026-01-01T00:00:00Z'),
        up: false,
        error: 'ECONNREFUSED',
        collectors: [],
      },
    ],
  });
  assert.match(html, /<a href="\/metrics">\/metrics<\/a>/);
  assert.match(
    html,
    /<code>127\.0\.0\.1:3306<\/code> \(auth module <code>client<\/code>\): <span class="ok">up<\/span>/,
  );
  assert.match(html, /last scrape 30 s ago/);
  assert.match(html, /<td><code>global_status<\/code><\/td><td>ok<\/td><td>12\.3 ms<\/td>/);
  assert.match(
    html,
    /<tr class="fail"><td><code>slave_status<\/code><\/td><td>failed<\/td><td>500\.0 ms<\/td><td>ER_SPECIFIC_ACCESS_DENIED &lt;x&gt;<\/td>/,
  );
  assert.match(html, /<span class="fail">down<\/span> ECONNREFUSED/);
  assert.match(html, /<td><code>mysql\.user<\/code><\/td><td>disabled<\/td><td>&lt;script&gt;<\/td>/);
  assert.doesNotMatch(html, /<script>/);
});

test('before any scrape the page says so', () => {
  const html = landingPage({
    version: 'x',
    telemetryPath: '/m',
    collectors: [],
    enabled: new Set(),
    lastScrapes: [],
  });
  assert.match(html, /No scrape yet/);
});

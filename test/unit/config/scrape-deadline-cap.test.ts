import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/assemble.js';
import { scrapeDeadline } from '../../../src/http/deadline.js';

async function deadlineSettings(argv: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'deadline-cap-'));
  try {
    const loaded = await loadConfig(['--mysqld.username=u', ...argv], { HOME: dir });
    if (loaded.kind !== 'config') throw new Error(`expected a configuration, got ${loaded.kind}`);
    return loaded.config.deadline;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--exporter.scrape_timeout caps the X-Prometheus-Scrape-Timeout-Seconds header, as --help says', async () => {
  const s = await deadlineSettings([]);
  // Default: 10 s scrape timeout, 0.25 s offset. A 30 s header must not buy a 29.75 s deadline.
  assert.equal(scrapeDeadline('30', s).seconds, 9.75);
  assert.equal(scrapeDeadline('300', s).seconds, 9.75);
  assert.equal(scrapeDeadline('1000000', s).seconds, 9.75);
  // A shorter header still shortens it, minus the offset (mysqld_exporter's header - offset).
  assert.equal(scrapeDeadline('5', s).seconds, 4.75);
  const raised = await deadlineSettings(['--exporter.scrape_timeout=60s']);
  assert.equal(scrapeDeadline('30', raised).seconds, 29.75, 'raise the flag to allow a longer header');
  assert.equal(scrapeDeadline('120', raised).seconds, 59.75);
});

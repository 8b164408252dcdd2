/**
 * The landing page in a real browser: headless Chromium (Debian `chromium`, driven by playwright-core)
 * loads `/` after a scrape, the page shows the target and its collectors, and a screenshot is kept
 * in test-artifacts/landing.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { cnfFor, startExporter, writeMyCnf } from '../helpers/exporter.js';
import { createExporterUser, startMariaDb } from '../helpers/mariadb.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

test('the landing page renders the target, its collectors and the endpoints in Chromium', async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install chromium (bash .ci/run does this)`,
  );
  const db = await startMariaDb();
  await createExporterUser(db, 'exporter', 'pw');
  const exp = await startExporter(writeMyCnf(cnfFor(db.port, 'exporter', 'pw')), ['--collect.mysql.user']);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    await exp.get('/metrics');
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${exp.url}/`);
    assert.equal(await page.title(), 'MySQL Exporter');
    assert.equal(await page.locator('h1').textContent(), 'MySQL Exporter');
    const target = page.locator('section.target h3');
    assert.match(
      (await target.textContent()) ?? '',
      new RegExp(`127\\.0\\.0\\.1:${db.port} \\(auth module client\\): up`),
    );
    const rows = page.locator('section.target tbody tr');
    assert.ok((await rows.count()) >= 6, 'one row per collector that ran');
    assert.match((await rows.first().textContent()) ?? '', /global_status\s*ok\s*[\d.]+ ms/);
    const href = await page.locator('a', { hasText: '/metrics' }).first().getAttribute('href');
    assert.equal(href, '/metrics');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'landing.png'), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, 'landing.png')));
  } finally {
    await browser.close();
    await exp.stop();
    await db.destroy();
  }
});

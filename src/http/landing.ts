/**
 * The landing page at `/`, for a person: what this is, the endpoints, each target's last scrape
 * (up, every collector's duration, success and error) and the collectors with their state.
 */
import type { LastScrape } from '../exporter.js';
import type { Collector } from '../model/collector.js';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export interface LandingInfo {
  readonly version: string;
  readonly telemetryPath: string;
  readonly collectors: readonly Collector[];
  readonly enabled: ReadonlySet<string>;
  readonly lastScrapes: readonly LastScrape[];
  readonly now?: Date;
}

function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

function targetSection(t: LastScrape, now: Date): string {
  const rows = t.collectors
    .map(
      (c) =>
        `<tr class="${c.success ? 'ok' : 'fail'}"><td><code>${esc(c.name)}</code></td><td>${c.success ? 'ok' : 'failed'}</td><td>${(c.durationSeconds * 1000).toFixed(1)} ms</td><td>${esc(c.error ?? '')}</td></tr>`,
    )
    .join('\n');
  const state = t.up ? '<span class="ok">up</span>' : `<span class="fail">down</span> ${esc(t.error ?? '')}`;
  return `<section class="target"><h3><code>${esc(t.target)}</code> (auth module <code>${esc(t.module)}</code>): ${state}</h3>
<p>last scrape ${esc(ago(t.at, now))} (${esc(t.at.toISOString())})</p>
${t.collectors.length > 0 ? `<table><thead><tr><th>collector</th><th>result</th><th>duration</th><th>error</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : ''}
</section>`;
}

export function landingPage(info: LandingInfo): string {
  const now = info.now ?? new Date();
  const collectorRows = info.collectors
    .map(
      (c) =>
        `<tr><td><code>${esc(c.name)}</code></td><td>${info.enabled.has(c.name) ? 'enabled' : 'disabled'}</td><td>${esc(c.help)}</td></tr>`,
    )
    .join('\n');
  const metrics = esc(info.telemetryPath);
  const targets =
    info.lastScrapes.length === 0
      ? `<p>No scrape yet. <a href="${metrics}">Scrape now</a>.</p>`
      : info.lastScrapes.map((t) => targetSection(t, now)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MySQL Exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:.25em .75em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.fail{color:#c62828}tr.fail td{background:#fff4f4}code{font-size:.95em}
</style>
</head><body>
<h1>MySQL Exporter</h1>
<p>Prometheus exporter for MySQL and MariaDB server metrics, version ${esc(info.version)}, compatible with mysqld_exporter.</p>
<h2>Endpoints</h2>
<ul>
<li><a href="${metrics}">${metrics}</a>: metrics of the configured server, plus the exporter's own</li>
<li><code>/probe?target=host:port&amp;auth_module=client</code>: metrics of another server (targets allowed by <code>--probe.allow</code>)</li>
<li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>: health checks</li>
<li><code>POST /-/reload</code>: re-read the credentials and query files</li>
</ul>
<h2>Targets</h2>
${targets}
<h2>Collectors</h2>
<table><thead><tr><th>collector</th><th>state</th><th>what it reads</th></tr></thead><tbody>
${collectorRows}
</tbody></table>
</body></html>
`;
}

/** The landing page at `/`: what this is, its endpoints and the enabled collectors. */
import type { Collector } from '../scrape/types.js';

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
}

export function landingPage(info: LandingInfo): string {
  const rows = info.collectors
    .map(
      (c) =>
        `<tr><td><code>${esc(c.name)}</code></td><td>${info.enabled.has(c.name) ? 'enabled' : 'disabled'}</td><td>${esc(c.help)}</td></tr>`,
    )
    .join('\n');
  const metrics = esc(info.telemetryPath);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MySQL Exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:.25em .75em;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body>
<h1>MySQL Exporter</h1>
<p>Prometheus exporter for MySQL and MariaDB server metrics (version ${esc(info.version)}), compatible with mysqld_exporter.</p>
<h2>Endpoints</h2>
<ul>
<li><a href="${metrics}">${metrics}</a>: metrics of the configured server, plus the exporter's own</li>
<li><code>/probe?target=host:port&amp;auth_module=client</code>: metrics of another server (multi-target)</li>
<li><a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>: health checks</li>
<li><code>POST /-/reload</code>: re-read the credentials and query files</li>
</ul>
<h2>Collectors</h2>
<table><thead><tr><th>collector</th><th>state</th><th>what it reads</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}

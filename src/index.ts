/**
 * The embedding API: mount the exporter's router in your own express app next to your own routes
 * and prom-client metrics. See examples/embedded.ts.
 */
export { createApp, createRouter, type HttpDeps } from './http/app.js';
export { Exporter, type ExporterState, type AuthModuleLike } from './exporter.js';
export type { ScrapeSettings } from './config/load.js';
export { loadConfig, type LoadedConfig } from './assemble.js';
export { startServer, type RunningServer } from './server.js';
export { createLogger, silentLogger, type Logger } from './log/logger.js';
export { render, PROMETHEUS_CONTENT_TYPE } from './exposition/render.js';
export { scrapeFamilies } from './scrape/scrape-families.js';
export type { Collector, Db, CollectContext } from './model/collector.js';
export type { MetricFamily, Sample } from './model/metrics.js';
export type { ServerInfo } from './model/server-info.js';
export { main } from './main.js';
export { createEmbeddedExporter, type EmbedOptions, type EmbeddedExporter } from './embed.js';

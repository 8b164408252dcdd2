/** The exposition formats the exporter writes, and the media types that name them. */

/** Classic Prometheus text 0.0.4, OpenMetrics 1.0 text, Prometheus protobuf (length-delimited MetricFamily). */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_1_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** OpenMetrics 0.0.1 (what Prometheus asks for second): the same body, named as asked. */
export const OPENMETRICS_0_CONTENT_TYPE = 'application/openmetrics-text; version=0.0.1; charset=utf-8';
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** A negotiated response: how the body is written and what Content-Type says so. */
export interface NegotiatedFormat {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

export const TEXT_FORMAT: NegotiatedFormat = { format: 'text', contentType: TEXT_CONTENT_TYPE };

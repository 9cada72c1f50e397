import { withSelector } from '../../integrations/prometheus/selector.js';

/**
 * The runbook's PromQL, with the catalog selector injected. The runbook's own drop-rate expression divides two
 * vectors with different label sets (error_type on one side only), so it matches nothing; summing both sides
 * first gives two label-less vectors that divide.
 */
export const METRICS = {
  errors: 'tick_storm_connection_errors_total',
  total: 'tick_storm_total_connections_total',
  active: 'tick_storm_active_connections',
  durationBucket: 'tick_storm_connection_duration_seconds_bucket',
} as const;

const DROPPED = { error_type: 'connection_dropped' };

export function droppedPerSecond(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.errors, selector, DROPPED)}[${window}]))`;
}

export function connectionsPerSecond(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.total, selector)}[${window}]))`;
}

/** Percent of new connections dropped over the window. */
export function dropRatePct(selector: string | undefined, window: string): string {
  return `${droppedPerSecond(selector, window)} / ${connectionsPerSecond(selector, window)} * 100`;
}

export function activeByInstance(selector: string | undefined): string {
  return `sum by (instance) (${withSelector(METRICS.active, selector)})`;
}

export function errorsByType(selector: string | undefined, window: string): string {
  return `sum by (error_type) (rate(${withSelector(METRICS.errors, selector)}[${window}]))`;
}

export function durationQuantile(selector: string | undefined, window: string, quantile: number): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(${withSelector(METRICS.durationBucket, selector)}[${window}])))`;
}

/** The runbook's step 3 query, as it would be typed into the Prometheus UI for this service. */
export function runbookDroppedRate(selector: string | undefined, window: string): string {
  return `rate(${withSelector(METRICS.errors, selector, DROPPED)}[${window}])`;
}

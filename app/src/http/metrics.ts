import { Gauge, Histogram, Registry } from 'prom-client';
import type { Storage } from '../domain/ports.js';

/** The service's Prometheus metrics, in a registry of its own (one per server). */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly storageDuration: Histogram<'backend' | 'operation'>;
}

export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  return {
    registry,
    httpDuration: new Histogram({
      name: 'auth_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    storageDuration: new Histogram({
      name: 'auth_storage_operation_duration_seconds',
      help: 'Storage operation latency by backend and operation',
      labelNames: ['backend', 'operation'],
      buckets: [0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

/**
 * The live sessions gauge reads the storage at scrape time, so it stays right when
 * sessions end by expiry. Adapters without `countLive` leave it unset.
 */
export function registerLiveSessionsGauge(
  metrics: ServiceMetrics,
  storage: Storage,
  clock: () => number,
): void {
  const countLive = storage.sessions.countLive?.bind(storage.sessions);
  new Gauge({
    name: 'auth_live_sessions',
    help: 'Sessions live now, across all users',
    registers: [metrics.registry],
    async collect() {
      if (countLive === undefined) return;
      this.set(await countLive(clock()));
    },
  });
}

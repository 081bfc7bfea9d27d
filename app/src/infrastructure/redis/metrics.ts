import { Counter, type Registry } from 'prom-client';
import type { ConnectionEvent } from './connection.js';

/**
 * A counter of connection events (connect, ready, close, reconnecting, switch-master, ...)
 * registered on the service's registry; pass the returned callback as `onEvent`.
 */
export function connectionEventCounter(
  registry: Registry,
): (event: ConnectionEvent, connection: string) => void {
  const counter = new Counter({
    name: 'auth_redis_connection_events_total',
    help: 'Redis connection events seen by the storage adapter, by event and connection',
    labelNames: ['event', 'connection'],
    registers: [registry],
  });
  return (event, connection) => counter.inc({ event, connection });
}

import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Storage } from './domain/ports.js';
import { MemoryStorage } from './infrastructure/memory/memory-storage.js';
import type { RedisLogger } from './infrastructure/redis/connection.js';
import { connectionEventCounter } from './infrastructure/redis/metrics.js';
import type { RedisConfig } from './infrastructure/redis/redis-config.js';
import { RedisStorage } from './infrastructure/redis/redis-storage.js';

/** What the service lends an adapter: its logger and its metrics registry. */
export interface StorageServices {
  readonly logger: RedisLogger;
  readonly registry: Registry;
}

/**
 * The composition root's one place that picks a storage adapter. It logs once which
 * durability the service runs with, so an operator reads it in the first lines of the log.
 */
export async function createStorage(config: Config, services: StorageServices): Promise<Storage> {
  if (config.storageBackend === 'memory') {
    services.logger.info(
      { backend: 'memory' },
      'storage in process memory: lost on restart and not shared between instances',
    );
    return new MemoryStorage();
  }

  if (config.redis === null) throw new Error('STORAGE_BACKEND=redis without redis settings');
  const storage = await RedisStorage.open(config.redis, {
    logger: services.logger,
    onEvent: connectionEventCounter(services.registry),
  });
  const command = await storage.connection.durabilityCommand();
  services.logger.info(
    { backend: 'redis', ...durabilityFacts(config.redis), command },
    durabilityGuarantee(config.redis),
  );
  return storage;
}

/** The durability a redis-backed service promises, in one sentence for the start log. */
export function durabilityGuarantee(config: RedisConfig): string {
  const where = config.target.mode === 'sentinel' ? 'sentinel' : 'standalone';
  if (config.waitReplicas === 0) {
    return `redis ${where}: writes are only as durable as this server's AOF`;
  }
  return `redis ${where}: writes acknowledged after ${config.waitReplicas} replica(s) confirm`;
}

function durabilityFacts(config: RedisConfig) {
  return {
    mode: config.target.mode,
    waitReplicas: config.waitReplicas,
    waitTimeoutMs: config.waitTimeoutMs,
  };
}

import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { parseRedisConfig } from '../src/infrastructure/redis/redis-config.js';
import { createStorage, durabilityGuarantee } from '../src/storage-factory.js';
import { type RedisTopology, recordingLogger, startStandalone } from './support/redis.js';

describe('createStorage', () => {
  let topology: RedisTopology;
  beforeAll(async () => {
    topology = await startStandalone();
  });
  afterAll(async () => {
    await topology?.stop();
  });

  it('opens the memory backend by default', async () => {
    const storage = await createStorage(loadConfig({}), services());
    expect(storage.backend).toBe('memory');
    await storage.close();
  });

  it('opens the redis backend, counts its connection events and logs its durability', async () => {
    const logger = recordingLogger();
    const registry = new Registry();
    const config = loadConfig({ STORAGE_BACKEND: 'redis', REDIS_URL: topology.url });

    const storage = await createStorage(config, { logger, registry });
    try {
      expect(storage.backend).toBe('redis');
      expect(await storage.isReady()).toBe(true);
      expect(await registry.metrics()).toMatch(
        /auth_redis_connection_events_total\{event="ready",connection="auth-commands"\} 1/,
      );
      expect(logger.lines.map((line) => line.message)).toContain(
        "redis standalone: writes are only as durable as this server's AOF",
      );
    } finally {
      await storage.close();
    }
  });
});

describe('durabilityGuarantee', () => {
  it('names the replicas a sentinel deployment waits for', () => {
    const config = parseRedisConfig({ REDIS_SENTINELS: 'a:1,b:2,c:3' });
    expect(durabilityGuarantee(config)).toBe(
      'redis sentinel: writes acknowledged after 1 replica(s) confirm',
    );
  });

  it('says a standalone server without replicas is only as durable as its AOF', () => {
    const config = parseRedisConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(durabilityGuarantee(config)).toContain("only as durable as this server's AOF");
  });
});

function services() {
  return { logger: recordingLogger(), registry: new Registry() };
}

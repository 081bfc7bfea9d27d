import { describe, expect, it } from 'vitest';
import { supportsWaitAof } from '../../../src/infrastructure/redis/connection.js';
import { parseRedisConfig } from '../../../src/infrastructure/redis/redis-config.js';

describe('redis config', () => {
  it('reads a standalone URL with its defaults', () => {
    const config = parseRedisConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });

    expect(config.target).toEqual({ mode: 'standalone', url: 'redis://127.0.0.1:6379' });
    expect(config).toMatchObject({ keyPrefix: 'auth:', waitReplicas: 0, tls: false });
  });

  it('reads sentinels and waits for one replica by default', () => {
    const config = parseRedisConfig({ REDIS_SENTINELS: 'a:26379,b:26380', REDIS_TLS: 'true' });

    expect(config.target).toEqual({
      mode: 'sentinel',
      masterName: 'mymaster',
      sentinels: [
        { host: 'a', port: 26379 },
        { host: 'b', port: 26380 },
      ],
    });
    expect(config).toMatchObject({ waitReplicas: 1, tls: true });
  });

  it('names the bad variable and never echoes a password', () => {
    expect(() =>
      parseRedisConfig({ REDIS_URL: 'redis://x', REDIS_WAIT_TIMEOUT_MS: 'soon' }),
    ).toThrow(/^REDIS_WAIT_TIMEOUT_MS/);
    expect(() => parseRedisConfig({ REDIS_SENTINELS: 'no-port' })).toThrow(/^REDIS_SENTINELS/);
    expect(() => parseRedisConfig({ REDIS_PASSWORD: 'hunter2' })).toThrow(
      /^REDIS_URL or REDIS_SENTINELS/,
    );
  });

  it('uses WAITAOF only from Redis 7.2', () => {
    expect(supportsWaitAof('7.0.15')).toBe(false);
    expect(supportsWaitAof('7.2.0')).toBe(true);
    expect(supportsWaitAof('8.0.1')).toBe(true);
  });
});

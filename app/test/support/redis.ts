import type { RedisLogger } from '../../src/infrastructure/redis/connection.js';
import { parseRedisConfig, type RedisConfig } from '../../src/infrastructure/redis/redis-config.js';
import { RedisStorage } from '../../src/infrastructure/redis/redis-storage.js';

export {
  type RedisTopology,
  startReplicated,
  startStandalone,
} from '../../../deploy/local/redis-topology.js';

/** A logger that keeps its lines for assertions and prints nothing. */
export function recordingLogger(): RedisLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (_details: object, message: string) => {
    lines.push({ level, message });
  };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** The adapter's config for a test server, from the same variables the service reads. */
export function testConfig(env: Record<string, string>): RedisConfig {
  return parseRedisConfig({
    REDIS_WAIT_TIMEOUT_MS: '1000',
    REDIS_FAILOVER_WAIT_MS: '3000',
    REVOCATION_MAX_STALENESS_MS: '2000',
    ...env,
  });
}

/** The service's environment for STORAGE_BACKEND=redis on a test server (short waits). */
export function redisServiceEnv(url: string): Record<string, string> {
  return {
    STORAGE_BACKEND: 'redis',
    REDIS_URL: url,
    REDIS_WAIT_TIMEOUT_MS: '1000',
    REDIS_FAILOVER_WAIT_MS: '3000',
    REVOCATION_MAX_STALENESS_MS: '2000',
  };
}

export async function openStorage(config: RedisConfig): Promise<RedisStorage> {
  return RedisStorage.open(config, { logger: recordingLogger() });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds or `timeoutMs` passes; answers whether it held. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(intervalMs);
  }
  return condition();
}

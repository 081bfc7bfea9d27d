// deploy/docker-compose.redis.yml cannot run here (no Docker engine): check its shape, and that
// it starts from the shared files rather than a copy of their settings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './mocks.js';

interface Service {
  command: string[];
  volumes: (string | { target: string })[];
  environment: Record<string, string>;
  user: string;
}

const compose = parse(readFileSync(`${repoRoot}deploy/docker-compose.redis.yml`, 'utf8'), {
  merge: true,
}) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

describe('docker-compose.redis.yml', () => {
  it('runs one master, two replicas of it and three sentinels with quorum 2', () => {
    const replicas = services.filter(
      ([, service]) => service.environment.MASTER === 'redis-master',
    );
    const sentinels = services.filter(([name]) => name.startsWith('sentinel-'));
    expect(replicas).toHaveLength(2);
    expect(sentinels).toHaveLength(3);
    for (const [, sentinel] of sentinels) {
      expect(sentinel.command.join(' ')).toContain('sentinel monitor mymaster redis-master 6379 2');
    }
  });

  it('mounts the shared settings read-only in every container and never runs as root', () => {
    for (const [, service] of services) {
      expect(service.volumes).toContain('./redis:/etc/redis/shared:ro');
      expect(service.user).toBe('999:999');
      expect(service.command.join(' ')).toMatch(/\/etc\/redis\/shared\/(redis|sentinel)\.conf/);
    }
  });

  it('takes the password from the environment, not from the file', () => {
    const text = readFileSync(`${repoRoot}deploy/docker-compose.redis.yml`, 'utf8');
    expect(text).not.toMatch(/requirepass [^$]/);
    for (const [, service] of services) {
      // Compose's own interpolation syntax, required at `up` time.
      expect(service.environment.REDIS_PASSWORD).toBe(`\${REDIS_PASSWORD:?set REDIS_PASSWORD}`);
    }
  });
});

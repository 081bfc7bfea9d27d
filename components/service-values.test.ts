import { describe, expect, it } from 'vitest';
import { redisClientLabel } from './naming.js';
import { imageValues, serviceUrl, serviceValues } from './service-values.js';
import { readStackConfig } from './stack-config.js';

const config = readStackConfig({ get: () => undefined });

describe('service chart values', () => {
  it('split image references with a registry port, a tag or a digest', () => {
    expect(imageValues('localhost:5001/auth-service:dev')).toEqual({
      repository: 'localhost:5001/auth-service',
      tag: 'dev',
    });
    expect(imageValues('reg.example.com/auth@sha256:abc')).toEqual({
      repository: 'reg.example.com/auth',
      tag: '',
      digest: 'sha256:abc',
    });
    expect(imageValues('localhost:5001/auth-service')).toEqual({
      repository: 'localhost:5001/auth-service',
      tag: 'latest',
    });
  });

  it('point the service at every sentinel with its ACL user, and secrets only by reference', () => {
    const values = serviceValues(config, { repository: 'a', tag: 'b' });
    expect(values.env.STORAGE_BACKEND).toBe('redis');
    expect(values.env.REDIS_SENTINELS.split(',')).toHaveLength(3);
    expect(values.env.REDIS_USERNAME).toBe('auth-service');
    expect(values.env.REDIS_WAIT_REPLICAS).toBe('1');
    expect(values.secretEnv.map((entry) => entry.name)).toEqual([
      'REDIS_PASSWORD',
      'REDIS_SENTINEL_PASSWORD',
      'JWT_SIGNING_KEYS',
    ]);
    expect(values.podLabels).toEqual(redisClientLabel);
  });

  it('use annotations or a ServiceMonitor for scraping, never both', () => {
    const withMonitor = readStackConfig({
      get: (key) => (key === 'appServiceMonitor' ? 'true' : undefined),
    });
    const values = serviceValues(withMonitor, { repository: 'a', tag: 'b' });
    expect(values.metrics).toEqual({
      annotations: false,
      serviceMonitor: { enabled: true, interval: '30s' },
    });
  });

  it('prefer the public URL and fall back to the in-cluster name', () => {
    expect(serviceUrl(config)).toBe('http://auth-service.auth-stack.svc.cluster.local:80');
    const exposed = readStackConfig({
      get: (key) => (key === 'appPublicUrl' ? 'https://a.example' : undefined),
    });
    expect(serviceUrl(exposed)).toBe('https://a.example');
  });
});

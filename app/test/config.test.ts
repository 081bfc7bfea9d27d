import { describe, expect, it } from 'vitest';
import { InvalidConfiguration, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfiguration) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      storageBackend: 'memory',
      accessTokenTtlSeconds: 900,
      refreshReuseGraceSeconds: 0,
      signingKeys: null,
      trustProxy: false,
      clockSkewAllowanceSeconds: 60,
    });
  });

  it('reads TRUST_PROXY as none, a hop count or trusted addresses, and refuses `true`', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);

    expect(problemsOf({ TRUST_PROXY: 'true' })).toContain('hop count');
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8/1', 'proxy.example', '1,2', '::1/129']) {
      expect(problemsOf({ TRUST_PROXY: bad })).toContain('TRUST_PROXY');
    }
  });

  it('takes a clock skew allowance from zero to an hour', () => {
    expect(loadConfig({ CLOCK_SKEW_ALLOWANCE_SECONDS: '0' }).clockSkewAllowanceSeconds).toBe(0);
    expect(problemsOf({ CLOCK_SKEW_ALLOWANCE_SECONDS: '-1' })).toContain(
      'CLOCK_SKEW_ALLOWANCE_SECONDS',
    );
    expect(problemsOf({ CLOCK_SKEW_ALLOWANCE_SECONDS: '3601' })).toContain(
      'CLOCK_SKEW_ALLOWANCE_SECONDS',
    );
  });

  it('names the variable of a bad value', () => {
    expect(problemsOf({ PORT: 'eighty' })).toContain('PORT');
    expect(problemsOf({ STORAGE_BACKEND: 'postgres' })).toContain('STORAGE_BACKEND');
    expect(problemsOf({ TRUST_PROXY: 'maybe' })).toContain('TRUST_PROXY');
    expect(problemsOf({ ACCESS_TOKEN_TTL_SECONDS: '0' })).toContain('ACCESS_TOKEN_TTL_SECONDS');
    expect(
      problemsOf({ SESSION_IDLE_TIMEOUT_SECONDS: '100', SESSION_ABSOLUTE_TIMEOUT_SECONDS: '10' }),
    ).toContain('SESSION_IDLE_TIMEOUT_SECONDS');
  });

  it('parses signing keys and refuses short or malformed ones without echoing the secret', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const short = Buffer.alloc(16, 7).toString('base64url');

    const config = loadConfig({ JWT_SIGNING_KEYS: `new:${secret},old:${secret}` });
    expect(config.signingKeys?.map((key) => key.kid)).toEqual(['new', 'old']);

    const message = problemsOf({ JWT_SIGNING_KEYS: `k1:${short}` });
    expect(message).toContain('JWT_SIGNING_KEYS');
    expect(message).not.toContain(short);
    expect(problemsOf({ JWT_SIGNING_KEYS: 'just-a-secret' })).toContain('JWT_SIGNING_KEYS');
  });

  it('reads the redis settings only for the redis backend, with one staleness default', () => {
    expect(loadConfig({ REDIS_URL: 'not-a-url' }).redis).toBeNull();

    const redis = loadConfig({ STORAGE_BACKEND: 'redis', REDIS_URL: 'redis://127.0.0.1:1' }).redis;
    expect(redis).toMatchObject({ waitReplicas: 0, revocationMaxStalenessMs: 5000 });
    const tuned = loadConfig({
      STORAGE_BACKEND: 'redis',
      REDIS_SENTINELS: 'a:1,b:2,c:3',
      REVOCATION_MAX_STALENESS_MS: '750',
    }).redis;
    expect(tuned).toMatchObject({ waitReplicas: 1, revocationMaxStalenessMs: 750 });
  });

  it('refuses the redis backend without a target, naming the variables', () => {
    expect(problemsOf({ STORAGE_BACKEND: 'redis' })).toContain('REDIS_URL or REDIS_SENTINELS');
    expect(
      problemsOf({
        STORAGE_BACKEND: 'redis',
        REDIS_URL: 'redis://x:1',
        REDIS_WAIT_TIMEOUT_MS: '0',
      }),
    ).toContain('REDIS_WAIT_TIMEOUT_MS');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });
});

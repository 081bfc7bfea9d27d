import { describe, expect, it } from 'vitest';
import {
  majorityOf,
  maxmemoryFor,
  memoryBytes,
  redisVersionOf,
  renderAclFile,
  renderRedisConf,
  renderSentinelConf,
  sentinelMinAvailable,
  serviceAclRules,
  splitSentinelConf,
} from './redis-config.js';

const sharedSentinel = [
  '# comment',
  'sentinel down-after-milliseconds mymaster 5000',
  'sentinel resolve-hostnames yes',
  'sentinel announce-hostnames yes',
].join('\n');

describe('quorum maths', () => {
  it('needs more than half of the sentinels for a majority', () => {
    expect([1, 3, 4, 5, 7].map(majorityOf)).toEqual([1, 2, 3, 3, 4]);
  });

  it('keeps at least the quorum and a majority of sentinels through a drain', () => {
    expect(sentinelMinAvailable(3, 2)).toBe(2);
    expect(sentinelMinAvailable(5, 2)).toBe(3);
    expect(sentinelMinAvailable(5, 4)).toBe(4);
  });
});

describe('memory', () => {
  it('reads binary quantities and leaves 30 % of the limit as headroom', () => {
    expect(memoryBytes('512Mi')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(maxmemoryFor('1Gi')).toBe(Math.floor(1024 ** 3 * 0.7));
    expect(() => memoryBytes('1G')).toThrow(/not a memory quantity/);
  });
});

describe('service ACL rules', () => {
  it('limit keys and channels to the prefix and start from no command at all', () => {
    const rules = serviceAclRules('auth:', [7, 0]);
    expect(rules).toMatch(/^resetkeys ~auth:\* resetchannels &auth:\* -@all /);
    expect(rules).toContain('+evalsha');
    expect(rules).not.toMatch(/\+keys |\+scan|\+flushall|\+config|\+@/);
  });

  it('grant WAITAOF only to servers that have it (7.2 and later)', () => {
    expect(serviceAclRules('auth:', [7, 0])).not.toContain('waitaof');
    expect(serviceAclRules('auth:', [7, 2])).toContain('+waitaof');
    expect(serviceAclRules('auth:', redisVersionOf('redis:8.0.1-alpine'))).toContain('+waitaof');
  });

  it('reads the version from the image tag and treats an unknown tag as new', () => {
    expect(redisVersionOf('redis:7.2.5')).toEqual([7, 2]);
    expect(redisVersionOf('registry:5000/redis:7.0.15')).toEqual([7, 0]);
    expect(redisVersionOf('redis:latest')).toEqual([99, 0]);
  });

  it('puts the operator in the default user and each role on its own line', () => {
    const file = renderAclFile('a', [{ name: 'svc', password: 'b', rules: '-@all +get' }]);
    expect(file).toBe('user default on >a ~* &* +@all\nuser svc on >b -@all +get\n');
  });
});

describe('redis.conf', () => {
  it('appends the per-node lines after the shared settings', () => {
    const conf = renderRedisConf('appendonly yes\n', {
      port: 6380,
      bind: '127.0.0.1',
      dir: '/data',
      aclFile: '/s/users.acl',
      includes: ['/s/replication.conf'],
      replicaOf: { host: 'redis-0', port: 6379 },
    });
    expect(conf.split('\n')[0]).toBe('appendonly yes');
    expect(conf).toMatch(/port 6380\nbind 127.0.0.1\ndir \/data\naclfile \/s\/users.acl\n/);
    expect(conf).toMatch(/replicaof redis-0 6379\ninclude \/s\/replication.conf\n$/);
    expect(conf).not.toContain('maxmemory');
  });
});

describe('sentinel.conf', () => {
  it('separates lines naming the master and renames them', () => {
    const parts = splitSentinelConf(sharedSentinel, 'auth');
    expect(parts.global).toBe('sentinel resolve-hostnames yes\nsentinel announce-hostnames yes\n');
    expect(parts.perMaster).toBe('sentinel down-after-milliseconds auth 5000\n');
  });

  it('resolves hostnames before the monitor line and names the master only after it', () => {
    const conf = renderSentinelConf(sharedSentinel, {
      port: 26379,
      bind: '0.0.0.0',
      dir: '/data',
      masterName: 'mymaster',
      master: { host: 'redis-0.redis-headless', port: 6379 },
      quorum: 2,
      auth: { global: 'requirepass x\n', perMaster: 'sentinel auth-pass mymaster y\n' },
    });
    const lines = conf.trimEnd().split('\n');
    const monitor = lines.indexOf('sentinel monitor mymaster redis-0.redis-headless 6379 2');
    expect(lines.indexOf('sentinel resolve-hostnames yes')).toBeLessThan(monitor);
    expect(lines.indexOf('sentinel down-after-milliseconds mymaster 5000')).toBeGreaterThan(
      monitor,
    );
    expect(lines.indexOf('sentinel auth-pass mymaster y')).toBeGreaterThan(monitor);
  });
});

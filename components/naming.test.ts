import { describe, expect, it } from 'vitest';
import { podHosts, selectorLabels, sentinelAddresses, serviceHost } from './naming.js';

describe('naming', () => {
  it('gives each workload its own selector within the stack', () => {
    expect(selectorLabels('redis')).toEqual({
      'app.kubernetes.io/name': 'redis',
      'app.kubernetes.io/part-of': 'auth-stack',
    });
    expect(selectorLabels('redis')).not.toEqual(selectorLabels('sentinel'));
  });

  it('names StatefulSet pods through their headless Service', () => {
    expect(serviceHost('sentinel', 'ns')).toBe('sentinel.ns.svc.cluster.local');
    expect(podHosts('redis', 'redis-headless', 'ns', 2)).toEqual([
      'redis-0.redis-headless.ns.svc.cluster.local',
      'redis-1.redis-headless.ns.svc.cluster.local',
    ]);
  });

  it('lists every sentinel for the service, so discovery survives losing one', () => {
    expect(sentinelAddresses('ns', 3).split(',')).toEqual([
      'sentinel-0.sentinel-headless.ns.svc.cluster.local:26379',
      'sentinel-1.sentinel-headless.ns.svc.cluster.local:26379',
      'sentinel-2.sentinel-headless.ns.svc.cluster.local:26379',
    ]);
  });
});

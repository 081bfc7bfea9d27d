import { describe, expect, it } from 'vitest';
import { readStackConfig, StackConfigError } from './stack-config.js';

const from = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe('readStackConfig', () => {
  it('fills every key with its documented default when nothing is set', () => {
    const config = readStackConfig(from({}));
    expect(config).toMatchObject({
      kubeNamespace: 'auth-stack',
      redisReplicas: 3,
      sentinelReplicas: 3,
      sentinelQuorum: 2,
      redisMasterName: 'mymaster',
      redisKeyPrefix: 'auth:',
      redisAntiAffinity: 'required',
      appReplicas: 2,
      appServiceType: 'ClusterIP',
    });
    expect(config.redisResources.limits).toEqual({ memory: '512Mi' });
  });

  it('derives the default quorum from the number of sentinels', () => {
    expect(readStackConfig(from({ sentinelReplicas: '5' })).sentinelQuorum).toBe(3);
  });

  it('merges a partial resources object with the defaults', () => {
    const config = readStackConfig(
      from({ redisResources: '{"limits":{"cpu":"1","memory":"1Gi"}}' }),
    );
    expect(config.redisResources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it.each([
    [
      { redisReplicas: '1' },
      'auth-stack:redisReplicas must be a whole number from 2 to 9, got "1"',
    ],
    [{ redisReplicas: 'three' }, 'auth-stack:redisReplicas must be a whole number'],
    [{ sentinelReplicas: '4' }, 'auth-stack:sentinelReplicas must be odd'],
    [{ sentinelQuorum: '1' }, 'auth-stack:sentinelQuorum must be a whole number from 2 to 3'],
    [{ kubeNamespace: 'Auth_Stack' }, 'auth-stack:kubeNamespace must be a DNS label'],
    [
      { appServiceType: 'LoadBalancer' },
      'auth-stack:appServiceType must be one of ClusterIP, NodePort',
    ],
    [
      { appServiceType: 'NodePort' },
      'auth-stack:appNodePort is required when appServiceType is NodePort',
    ],
    [{ appNodePort: '80' }, 'auth-stack:appNodePort must be a whole number from 30000 to 32767'],
    [{ appImagePush: 'yes' }, 'auth-stack:appImagePush must be true or false'],
    [
      { appMaxReplicas: '1', appReplicas: '3' },
      'auth-stack:appMaxReplicas must be a whole number from 3',
    ],
    [
      { redisResources: '{"limits":{"memory":"lots"}}' },
      'auth-stack:redisResources.limits.memory must be a quantity',
    ],
    [{ redisResources: 'not json' }, 'auth-stack:redisResources must be an object'],
    [{ appPublicUrl: 'ftp://x' }, 'auth-stack:appPublicUrl must be an http(s) URL'],
    [{ redisImage: ' ' }, 'auth-stack:redisImage must not be empty'],
  ])('rejects %j with a message naming the key', (values, message) => {
    expect(() => readStackConfig(from(values))).toThrow(StackConfigError);
    expect(() => readStackConfig(from(values))).toThrow(message);
  });
});

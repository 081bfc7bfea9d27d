// The auth-stack Pulumi program: reads the stack's configuration (components/stack-config.ts)
// and wires Redis HA and the service together. Behaviour lives in components/.
import { readFileSync } from 'node:fs';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AuthService } from './components/auth-service.js';
import { RedisHa } from './components/redis-ha.js';
import { serviceUrl as urlOf } from './components/service-values.js';
import { readStackConfig } from './components/stack-config.js';

const config = readStackConfig(new pulumi.Config('auth-stack'));
const sharedConf = (file: string) =>
  readFileSync(new URL(`./deploy/redis/${file}`, import.meta.url), 'utf8');

// Everything lives in one namespace held to the `restricted` Pod Security Standard.
const namespace = new k8s.core.v1.Namespace('auth-stack', {
  metadata: {
    name: config.kubeNamespace,
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
  },
});

const redis = new RedisHa(
  'redis',
  {
    namespace: config.kubeNamespace,
    redisReplicas: config.redisReplicas,
    sentinelReplicas: config.sentinelReplicas,
    sentinelQuorum: config.sentinelQuorum,
    masterName: config.redisMasterName,
    image: config.redisImage,
    storageSize: config.redisStorageSize,
    storageClass: config.redisStorageClass,
    keyPrefix: config.redisKeyPrefix,
    redisResources: config.redisResources,
    sentinelResources: config.sentinelResources,
    antiAffinity: config.redisAntiAffinity,
    sharedRedisConf: sharedConf('redis.conf'),
    sharedSentinelConf: sharedConf('sentinel.conf'),
  },
  { dependsOn: [namespace] },
);

const service = new AuthService(
  'auth-service',
  { config, redisSecretName: redis.secretName },
  { dependsOn: [namespace, redis] },
);

export const serviceUrl = urlOf(config);
export const sentinelAddress = redis.sentinelServiceAddress;
export const masterName = config.redisMasterName;
export const credentialsSecretName = redis.secretName;
export const serviceImage = service.image;

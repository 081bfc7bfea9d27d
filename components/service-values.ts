// Values for the auth-service chart (charts/auth-service), computed from the stack config and
// the Redis topology. Pure, so the tests can render the chart with exactly what Pulumi passes.
import { redisClientLabel, redisNames, redisUsers, sentinelAddresses } from './naming.js';
import type { StackConfig } from './stack-config.js';

/** Name of the Secret holding the service's own secrets (JWT signing keys). */
export const serviceSecretName = 'auth-service-secrets';

/** Release name; the chart names its objects after it. */
export const serviceReleaseName = 'auth-service';

/** Port of the service's Kubernetes Service. */
export const servicePort = 80;

/** The chart's image values: a digest pins a pushed image, a tag names a loaded one. */
export interface ImageValues {
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
}

/** Splits `repo[:port]/name:tag` or `repo/name@sha256:...` into the chart's image values. */
export function imageValues(reference: string): ImageValues {
  const at = reference.indexOf('@');
  if (at >= 0)
    return { repository: reference.slice(0, at), tag: '', digest: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) return { repository: reference, tag: 'latest' };
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

/** The chart's values for one stack; `image` is known only once the image is built. */
export function serviceValues(config: StackConfig, image: ImageValues) {
  return {
    image: { ...image, pullPolicy: 'IfNotPresent' },
    replicaCount: config.appReplicas,
    autoscaling: {
      enabled: true,
      maxReplicas: config.appMaxReplicas,
      targetCPUUtilizationPercentage: config.appTargetCpuPercent,
    },
    podDisruptionBudget: { maxUnavailable: 1 },
    service: {
      type: config.appServiceType,
      port: servicePort,
      nodePort: config.appNodePort ?? null,
    },
    resources: config.appResources,
    env: {
      HOST: '0.0.0.0',
      PORT: '3000',
      LOG_LEVEL: config.appLogLevel,
      STORAGE_BACKEND: 'redis',
      DATA_DIR: '/var/lib/auth-service',
      JWT_ISSUER: config.appJwtIssuer,
      JWT_AUDIENCE: config.appJwtAudience,
      REDIS_SENTINELS: sentinelAddresses(config.kubeNamespace, config.sentinelReplicas),
      REDIS_MASTER_NAME: config.redisMasterName,
      REDIS_USERNAME: redisUsers.service,
      REDIS_KEY_PREFIX: config.redisKeyPrefix,
      REDIS_WAIT_REPLICAS: '1',
    },
    secretEnv: [
      { name: 'REDIS_PASSWORD', secretName: redisNames.secret, key: 'service-password' },
      { name: 'REDIS_SENTINEL_PASSWORD', secretName: redisNames.secret, key: 'sentinel-password' },
      { name: 'JWT_SIGNING_KEYS', secretName: serviceSecretName, key: 'jwt-signing-keys' },
    ],
    podLabels: { ...redisClientLabel },
    spreadAcrossNodes: true,
    metrics: {
      annotations: !config.appServiceMonitor,
      serviceMonitor: { enabled: config.appServiceMonitor, interval: '30s' },
    },
  };
}

/** The URL callers use: the public one when configured, else the in-cluster DNS name. */
export function serviceUrl(config: StackConfig): string {
  return (
    config.appPublicUrl ??
    `http://${serviceReleaseName}.${config.kubeNamespace}.svc.cluster.local:${servicePort}`
  );
}

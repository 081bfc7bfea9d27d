// Names, labels and addresses shared by the components, the chart values and the tests, so a
// selector and the pods it means are computed from the same place.

/** Value of `app.kubernetes.io/part-of` on every object of the stack. */
export const partOf = 'auth-stack';

/** Label that lets a pod through the Redis NetworkPolicy; the service's pods carry it. */
export const redisClientLabel = { 'auth-stack.dev/redis-client': 'true' } as const;

export type Workload = 'redis' | 'sentinel' | 'auth-service';

/** Labels of one workload's pods; also its selector, so both always agree. */
export function selectorLabels(workload: Workload): Record<string, string> {
  return { 'app.kubernetes.io/name': workload, 'app.kubernetes.io/part-of': partOf };
}

/** Object names and ports of the Redis topology. */
export const redisNames = {
  statefulSet: 'redis',
  headless: 'redis-headless',
  sentinelStatefulSet: 'sentinel',
  sentinelHeadless: 'sentinel-headless',
  sentinelService: 'sentinel',
  config: 'redis-config',
  secret: 'redis-auth',
  redisPort: 6379,
  sentinelPort: 26379,
} as const;

/** ACL user names on Redis. */
export const redisUsers = { service: 'auth-service', sentinel: 'sentinel', replica: 'replica' };

/** Fully qualified DNS name of a namespaced Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** DNS names of the pods of a StatefulSet behind its headless Service. */
export function podHosts(
  statefulSet: string,
  headless: string,
  namespace: string,
  replicas: number,
): string[] {
  return Array.from(
    { length: replicas },
    (_, ordinal) => `${statefulSet}-${ordinal}.${serviceHost(headless, namespace)}`,
  );
}

/** REDIS_SENTINELS for the service: every sentinel pod, so discovery survives any one loss. */
export function sentinelAddresses(namespace: string, sentinels: number): string {
  return podHosts(redisNames.sentinelStatefulSet, redisNames.sentinelHeadless, namespace, sentinels)
    .map((host) => `${host}:${redisNames.sentinelPort}`)
    .join(',');
}

// Shell scripts the Redis and Sentinel pods run (POSIX sh in the redis image). They only add
// what is known at run time (who is master, the pod's own name) to files rendered by
// redis-config.ts; passwords come from mounted Secret files or the environment, never argv.
// The variables they read are set by redis-ha.ts: MASTER_NAME, QUORUM, SENTINELS, REDIS_HEADLESS,
// SENTINEL_HEADLESS, SENTINEL_PASSWORD, and REDISCLI_AUTH (the admin or sentinel password).

/** Where the ConfigMap (rendered settings, scripts) and the Secret (credentials) are mounted. */
export const mounts = {
  config: '/etc/redis',
  secret: '/etc/redis-secret',
  runtime: '/conf',
  data: '/data',
} as const;

/** Asks each sentinel in turn for the current master; prints its host, or nothing. */
const askSentinels = `
ask_sentinels() {
  i=0
  while [ "$i" -lt "$SENTINELS" ]; do
    answer=$(REDISCLI_AUTH="$SENTINEL_PASSWORD" timeout 3 redis-cli --no-auth-warning \\
      -h "sentinel-$i.$SENTINEL_HEADLESS" -p 26379 \\
      sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1) || true
    if [ -n "$answer" ]; then echo "$answer"; return 0; fi
    i=$((i + 1))
  done
}`;

/** Starts redis-server as the master the sentinels know, or pod 0 on a fresh cluster. */
export const startRedis = `#!/bin/sh
set -eu
${askSentinels}

self="$HOSTNAME.$REDIS_HEADLESS"
master=$(ask_sentinels)
if [ -z "$master" ] && [ "\${HOSTNAME##*-}" != "0" ]; then master="redis-0.$REDIS_HEADLESS"; fi

cp ${mounts.config}/redis.conf ${mounts.runtime}/redis.conf
echo "replica-announce-ip $self" >> ${mounts.runtime}/redis.conf
if [ -n "$master" ] && [ "$master" != "$self" ]; then
  echo "replicaof $master 6379" >> ${mounts.runtime}/redis.conf
fi
exec redis-server ${mounts.runtime}/redis.conf
`;

/**
 * Starts a sentinel watching the master its peers report, or pod 0 of Redis. Order matters
 * and matches renderSentinelConf: global lines, credentials, monitor, lines naming the master.
 */
export const startSentinel = `#!/bin/sh
set -eu
${askSentinels}

self="$HOSTNAME.$SENTINEL_HEADLESS"
master=$(ask_sentinels)
if [ -z "$master" ]; then master="redis-0.$REDIS_HEADLESS"; fi

# Sentinel refuses a monitor line whose host does not resolve yet: wait for DNS, bounded.
tries=0
until getent hosts "$master" > /dev/null || [ "$tries" -ge 60 ]; do
  tries=$((tries + 1))
  sleep 2
done

{
  cat ${mounts.config}/sentinel-head.conf
  echo "sentinel announce-ip $self"
  cat ${mounts.secret}/sentinel-auth.conf
  echo "sentinel monitor $MASTER_NAME $master 6379 $QUORUM"
  cat ${mounts.secret}/sentinel-master-auth.conf
  cat ${mounts.config}/sentinel-master.conf
} > ${mounts.data}/sentinel.conf
exec redis-sentinel ${mounts.data}/sentinel.conf
`;

/**
 * Pre-stop hand-off: a master asks Sentinel to fail over and waits (at most 45 s, inside the
 * pod's grace period) until another node is master, so a rolling update loses no write.
 */
export const preStopRedis = `#!/bin/sh
set -u
${askSentinels}

self="$HOSTNAME.$REDIS_HEADLESS"
role=$(timeout 3 redis-cli --no-auth-warning role 2>/dev/null | head -n 1) || true
if [ "$role" != "master" ]; then exit 0; fi

i=0
while [ "$i" -lt "$SENTINELS" ]; do
  if REDISCLI_AUTH="$SENTINEL_PASSWORD" timeout 3 redis-cli --no-auth-warning \\
    -h "sentinel-$i.$SENTINEL_HEADLESS" -p 26379 sentinel failover "$MASTER_NAME" | grep -q OK; then
    break
  fi
  i=$((i + 1))
done

waited=0
while [ "$waited" -lt 45 ]; do
  master=$(ask_sentinels)
  if [ -n "$master" ] && [ "$master" != "$self" ]; then exit 0; fi
  waited=$((waited + 1))
  sleep 1
done
exit 0
`;

/** Grace period of Redis pods: longer than the pre-stop wait plus a clean shutdown. */
export const redisTerminationGraceSeconds = 60;

/** Probe command: the local server answers PING (REDISCLI_AUTH holds the password). */
export function pingCommand(port: number): string[] {
  return ['sh', '-c', `redis-cli --no-auth-warning -p ${port} ping | grep -q PONG`];
}

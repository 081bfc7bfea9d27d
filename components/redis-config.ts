// Pure rendering of Redis and Sentinel configuration from the shared files in deploy/redis/.
// Kubernetes (redis-ha.ts), the real-server tests and any other runner call the same functions,
// so every way of running starts from one set of settings plus its own per-node lines.

/** Smallest number of sentinels that is more than half of `sentinels`. */
export function majorityOf(sentinels: number): number {
  return Math.floor(sentinels / 2) + 1;
}

/**
 * Sentinels a node drain must leave running: enough to see the master down (quorum) and to
 * authorise a failover (a majority), whichever is more.
 */
export function sentinelMinAvailable(sentinels: number, quorum: number): number {
  return Math.max(quorum, majorityOf(sentinels));
}

const binaryUnits: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes of a Kubernetes memory quantity such as `512Mi` or `1Gi`. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match?.[1]) throw new Error(`not a memory quantity: "${quantity}"`);
  const unit = match[2] === undefined ? 1 : (binaryUnits[match[2]] ?? 1);
  return Math.floor(Number(match[1]) * unit);
}

/**
 * `maxmemory` for a container limit: 70 % of it, leaving room for replication and client
 * buffers and the copy-on-write pages of an AOF rewrite, so Redis refuses writes
 * (noeviction) before the kernel kills it.
 */
export function maxmemoryFor(memoryLimit: string): number {
  return Math.floor(memoryBytes(memoryLimit) * 0.7);
}

/** `[major, minor]` of a redis image tag (`redis:7.2.5-alpine`); unknown tags count as new. */
export function redisVersionOf(image: string): readonly [number, number] {
  const match = /:(\d+)\.(\d+)/.exec(image);
  if (!match) return [99, 0];
  return [Number(match[1]), Number(match[2])];
}

/** Commands the service's adapter sends, and nothing that reads or deletes outside its prefix. */
const serviceCommands = [
  // connection set-up by ioredis: handshake, ready check (INFO) and Sentinel role check
  'ping hello auth client|setname client|getname client|id info role echo quit reset',
  'get set del unlink exists expire pexpire pexpireat pexpiretime ttl pttl incr incrby getdel mget',
  'hget hset hsetnx hdel hgetall hmget hincrby hexists hlen',
  'sadd srem smembers sismember scard',
  'zadd zrem zrange zrangebyscore zremrangebyscore zcard zscore',
  'xadd xread xrange xrevrange xtrim xlen xinfo|stream',
  'eval evalsha script|load script|exists multi exec discard watch unwatch wait',
];

/** ACL rules of the service user: its key and channel prefix, and only the commands above. */
export function serviceAclRules(keyPrefix: string, version: readonly [number, number]): string {
  const commands = serviceCommands.join(' ').split(' ');
  // WAITAOF exists from Redis 7.2; naming an unknown command makes the ACL file fail to load.
  const [major, minor] = version;
  if (major > 7 || (major === 7 && minor >= 2)) commands.push('waitaof');
  return `resetkeys ~${keyPrefix}* resetchannels &${keyPrefix}* -@all ${commands.map((c) => `+${c}`).join(' ')}`;
}

/** What Sentinel needs on a monitored Redis (the list in the Sentinel documentation). */
export const sentinelAclRules =
  'resetchannels &__sentinel__:hello -@all +multi +exec +slaveof +replicaof +ping +subscribe ' +
  '+publish +config|rewrite +role +info +client|setname +client|kill +script|kill';

/** What a replica needs to sync from its master. */
export const replicaAclRules = '-@all +psync +replconf +ping';

/** One ACL user: name, password (kept in a Secret) and rules. */
export interface AclUser {
  readonly name: string;
  readonly password: string;
  readonly rules: string;
}

/** The ACL file (`aclfile`): the default user is the operator's, with every right. */
export function renderAclFile(adminPassword: string, users: readonly AclUser[]): string {
  const lines = [
    `user default on >${adminPassword} ~* &* +@all`,
    ...users.map((user) => `user ${user.name} on >${user.password} ${user.rules}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Lines a replica uses to authenticate to its master. */
export function renderReplicationAuth(user: string, password: string): string {
  return `masteruser ${user}\nmasterauth ${password}\n`;
}

/** Where and how one redis-server runs; everything else comes from the shared file. */
export interface RedisNode {
  readonly port: number;
  /** `bind` addresses, e.g. `127.0.0.1` or `* -::*`. */
  readonly bind: string;
  readonly dir: string;
  readonly aclFile: string;
  /** Files included last (replication credentials). */
  readonly includes: readonly string[];
  readonly replicaOf?: { readonly host: string; readonly port: number };
  /** Name other nodes and sentinels reach this one by (a pod DNS name on Kubernetes). */
  readonly announceHost?: string;
  readonly maxmemoryBytes?: number;
}

/** redis.conf for one node: the shared settings followed by its per-node lines. */
export function renderRedisConf(shared: string, node: RedisNode): string {
  const local = [
    '# Per-node settings, added to the shared file by components/redis-config.ts.',
    `port ${node.port}`,
    `bind ${node.bind}`,
    `dir ${node.dir}`,
    `aclfile ${node.aclFile}`,
    ...(node.maxmemoryBytes === undefined ? [] : [`maxmemory ${node.maxmemoryBytes}`]),
    ...(node.announceHost === undefined ? [] : [`replica-announce-ip ${node.announceHost}`]),
    ...(node.replicaOf === undefined
      ? []
      : [`replicaof ${node.replicaOf.host} ${node.replicaOf.port}`]),
    ...node.includes.map((file) => `include ${file}`),
  ];
  return `${shared.trimEnd()}\n\n${local.join('\n')}\n`;
}

/**
 * The shared sentinel.conf cut in two: lines that name the master must follow
 * `sentinel monitor`, while `resolve-hostnames` must precede it (a monitor line with a
 * hostname is rejected until hostnames are resolved).
 */
export function splitSentinelConf(
  shared: string,
  masterName: string,
): { readonly global: string; readonly perMaster: string } {
  const global: string[] = [];
  const perMaster: string[] = [];
  for (const line of shared.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (words[0] === 'sentinel' && words[2] === 'mymaster') {
      words[2] = masterName;
      perMaster.push(words.join(' '));
    } else {
      global.push(line.trim());
    }
  }
  return { global: `${global.join('\n')}\n`, perMaster: `${perMaster.join('\n')}\n` };
}

/** The line that makes a sentinel watch a master. */
export function sentinelMonitorLine(
  masterName: string,
  host: string,
  port: number,
  quorum: number,
): string {
  return `sentinel monitor ${masterName} ${host} ${port} ${quorum}\n`;
}

/** Sentinel's credentials: its own password and the ACL user it logs into Redis with. */
export function renderSentinelAuth(
  masterName: string,
  sentinelPassword: string,
  redisUser: string,
  redisPassword: string,
): { readonly global: string; readonly perMaster: string } {
  return {
    global: `requirepass ${sentinelPassword}\n`,
    perMaster: `sentinel auth-user ${masterName} ${redisUser}\nsentinel auth-pass ${masterName} ${redisPassword}\n`,
  };
}

/** Where one sentinel runs and which master it starts from. */
export interface SentinelNode {
  readonly port: number;
  readonly bind: string;
  readonly dir: string;
  readonly announceHost?: string;
  readonly masterName: string;
  readonly master: { readonly host: string; readonly port: number };
  readonly quorum: number;
  readonly auth: { readonly global: string; readonly perMaster: string };
}

/**
 * A complete sentinel.conf, in the order the Kubernetes start script also writes it:
 * global settings, credentials, monitor, then the lines that name the master.
 */
export function renderSentinelConf(shared: string, node: SentinelNode): string {
  const parts = splitSentinelConf(shared, node.masterName);
  const local = [
    `port ${node.port}`,
    `bind ${node.bind}`,
    `dir ${node.dir}`,
    ...(node.announceHost === undefined ? [] : [`sentinel announce-ip ${node.announceHost}`]),
  ].join('\n');
  return [
    parts.global,
    `${local}\n`,
    node.auth.global,
    sentinelMonitorLine(node.masterName, node.master.host, node.master.port, node.quorum),
    node.auth.perMaster,
    parts.perMaster,
  ].join('');
}

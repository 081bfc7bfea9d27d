import { type ChainableCommander, Redis, type RedisOptions } from 'ioredis';
import { StoreUnavailable } from '../../domain/errors.js';
import type { RedisConfig } from './redis-config.js';

/** The part of a pino logger the adapter uses: object first, short lowercase message. */
export interface RedisLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export type ConnectionEvent =
  | 'connect'
  | 'ready'
  | 'close'
  | 'reconnecting'
  | 'end'
  | 'error'
  | 'switch-master';

export interface ConnectionHooks {
  readonly logger: RedisLogger;
  /** Called once per event, for a metric (see `connectionEventCounter` in metrics.ts). */
  readonly onEvent?: (event: ConnectionEvent, connection: string) => void;
}

/** Reconnect attempts never stop, but back off to one a second. */
const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 1_000);
const connectTimeoutMs = 2_000;

/**
 * An ioredis client for the configured target. Commands fail fast while disconnected (no
 * offline queue, no per-request retries): `RedisConnection.run` owns retrying, bounded by
 * REDIS_FAILOVER_WAIT_MS, so no caller waits without bound.
 */
export function createRedisClient(
  config: RedisConfig,
  name: string,
  commandTimeoutMs: number,
  hooks: ConnectionHooks,
): Redis {
  const common: RedisOptions = {
    connectionName: name,
    username: config.username,
    password: config.password,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    retryStrategy: reconnectDelay,
    // A write that reached a demoted master: reconnect (asking Sentinel again) and resend it.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(config.tls ? { tls: {} } : {}),
  };

  const client =
    config.target.mode === 'standalone'
      ? new Redis(config.target.url, common)
      : new Redis({
          ...common,
          sentinels: config.target.sentinels.map(({ host, port }) => ({ host, port })),
          name: config.target.masterName,
          sentinelUsername: config.sentinelUsername,
          sentinelPassword: config.sentinelPassword,
          sentinelRetryStrategy: reconnectDelay,
          sentinelCommandTimeout: connectTimeoutMs,
          // Sentinel tells us of a new master at once instead of after our next timeout.
          failoverDetector: true,
          ...(config.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        });

  observe(client, name, hooks);
  return client;
}

/** Logs each connection event once and counts it; a reconnect storm logs one line. */
function observe(client: Redis, name: string, { logger, onEvent }: ConnectionHooks): void {
  let outageLogged = false;
  let lastMaster: string | undefined;
  const count = (event: ConnectionEvent) => onEvent?.(event, name);

  client.on('connect', () => {
    count('connect');
    logger.info({ connection: name }, 'redis connected');
  });
  client.on('ready', () => {
    count('ready');
    outageLogged = false;
    const master = `${client.stream?.remoteAddress}:${client.stream?.remotePort}`;
    if (lastMaster !== undefined && master !== lastMaster) {
      count('switch-master');
      logger.warn({ connection: name, from: lastMaster, to: master }, 'redis master switched');
    }
    lastMaster = master;
    logger.info({ connection: name, master }, 'redis ready');
  });
  client.on('close', () => {
    count('close');
    if (!outageLogged) logger.warn({ connection: name }, 'redis connection closed');
  });
  client.on('reconnecting', (delayMs: number) => {
    count('reconnecting');
    if (!outageLogged) logger.warn({ connection: name, delayMs }, 'redis reconnecting');
    outageLogged = true;
  });
  client.on('end', () => {
    count('end');
    logger.info({ connection: name }, 'redis connection ended');
  });
  client.on('error', (error: Error) => {
    count('error');
    if (!outageLogged) logger.warn({ connection: name, err: error.message }, 'redis error');
  });
}

/**
 * Errors after which the command certainly did not apply, so repeating it is always safe:
 * the server refused it, or the client never wrote it (no offline queue: "isn't writeable").
 */
const notAppliedErrors =
  /^(READONLY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)|isn't writeable|ECONNREFUSED/;
/**
 * Errors after which the command may or may not have applied. ioredis rejects a command it
 * already wrote to a socket that then closed with "Reached the max retries per request
 * limit" (maxRetriesPerRequest 0) or "Connection is closed": the server may have run it.
 */
const ambiguousErrors =
  /timed out|ECONNRESET|EPIPE|ETIMEDOUT|max retries per request|Connection is closed/;

export interface RunOptions {
  /** Repeat after an ambiguous fault too (safe for idempotent steps). Default true. */
  readonly idempotent?: boolean;
}

/**
 * One command connection plus the policy around it: bounded retries through a failover,
 * replica confirmation of security-critical writes, and the translation of every fault
 * into `StoreUnavailable`.
 */
export class RedisConnection {
  readonly client: Redis;
  #durabilityCommand: Promise<'WAIT' | 'WAITAOF'> | undefined;

  constructor(
    readonly config: RedisConfig,
    readonly hooks: ConnectionHooks,
  ) {
    // WAIT blocks up to waitTimeoutMs; the command timeout must outlast it.
    this.client = createRedisClient(config, 'auth-commands', config.waitTimeoutMs + 2_000, hooks);
  }

  /** Runs `operation`, repeating it on transient faults until REDIS_FAILOVER_WAIT_MS. */
  async run<T>(what: string, operation: (client: Redis) => Promise<T>, options: RunOptions = {}) {
    const deadline = Date.now() + this.config.failoverWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation(this.client);
      } catch (error) {
        if (error instanceof StoreUnavailable) throw error;
        const message = error instanceof Error ? error.message : String(error);
        const retryable =
          notAppliedErrors.test(message) ||
          (options.idempotent !== false && ambiguousErrors.test(message));
        const pauseMs = Math.min(50 * 2 ** attempt, 500);
        if (!retryable) {
          this.hooks.logger.error({ operation: what, err: message }, 'redis operation failed');
          throw new StoreUnavailable(`${what} failed`, this.retryAfterSeconds);
        }
        if (Date.now() + pauseMs >= deadline) {
          this.hooks.logger.warn({ operation: what, err: message }, 'redis unavailable, giving up');
          throw new StoreUnavailable(`${what}: redis unavailable`, this.retryAfterSeconds);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  }

  /**
   * Resolves once REDIS_WAIT_REPLICAS replicas hold every write this connection sent so far;
   * rejects with StoreUnavailable otherwise. Never repeats the write itself: the caller's
   * step ran once, and only its confirmation is missing.
   */
  async confirmDurable(what: string): Promise<void> {
    const { waitReplicas, waitTimeoutMs } = this.config;
    if (waitReplicas === 0) return;

    let confirmed: number;
    try {
      if ((await this.durabilityCommand()) === 'WAITAOF') {
        const reply = (await this.client.call(
          'WAITAOF',
          0,
          waitReplicas,
          waitTimeoutMs,
        )) as number[];
        confirmed = reply[1] ?? 0;
      } else {
        confirmed = await this.client.wait(waitReplicas, waitTimeoutMs);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.hooks.logger.warn({ operation: what, err: message }, 'replica confirmation failed');
      throw new StoreUnavailable(`${what}: not confirmed by replicas`, this.retryAfterSeconds);
    }
    if (confirmed < waitReplicas) {
      this.hooks.logger.warn({ operation: what, confirmed, waitReplicas }, 'write not confirmed');
      throw new StoreUnavailable(`${what}: not confirmed by replicas`, this.retryAfterSeconds);
    }
  }

  /** WAITAOF exists from Redis 7.2; older servers (Debian's 7.0) get WAIT. */
  durabilityCommand(): Promise<'WAIT' | 'WAITAOF'> {
    this.#durabilityCommand ??= this.client.info('server').then(
      (info) => (supportsWaitAof(serverVersion(info)) ? 'WAITAOF' : 'WAIT'),
      (error: unknown) => {
        this.#durabilityCommand = undefined;
        throw error;
      },
    );
    return this.#durabilityCommand;
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.config.failoverWaitMs / 1_000));
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Redis's own default for `min-replicas-max-lag`, used when the server does not count. */
const defaultReplicaMaxLagSeconds = 10;

/**
 * Whether `INFO replication` describes a node whose data can be trusted as current: a
 * master with at least `waitReplicas` good replicas. A replica or an isolated old master
 * still answers reads, but what it serves may already be overtaken by a newer master.
 */
export function servesAsMaster(replicationInfo: string, waitReplicas: number): boolean {
  if (!/^role:master\r?$/m.test(replicationInfo)) return false;
  if (waitReplicas === 0) return true;
  return goodReplicas(replicationInfo) >= waitReplicas;
}

/**
 * `min_slaves_good_slaves` when the server counts them (min-replicas-to-write set), else
 * the online replicas that acknowledged within Redis's default lag.
 */
function goodReplicas(replicationInfo: string): number {
  const counted = /^min_slaves_good_slaves:(\d+)/m.exec(replicationInfo);
  if (counted) return Number(counted[1]);
  const replicas = replicationInfo.match(/^slave\d+:.*$/gm) ?? [];
  return replicas.filter((line) => {
    const lag = /lag=(\d+)/.exec(line);
    return line.includes('state=online') && lag && Number(lag[1]) <= defaultReplicaMaxLagSeconds;
  }).length;
}

export function serverVersion(info: string): string {
  return /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0.0.0';
}

export function supportsWaitAof(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 2);
}

/** Runs a pipeline and answers its results, throwing the first command error in it. */
export async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

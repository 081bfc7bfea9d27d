import type { Storage } from '../../domain/ports.js';
import { type ConnectionHooks, RedisConnection } from './connection.js';
import type { RedisConfig } from './redis-config.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLoginAttemptCounter } from './redis-login-attempt-counter.js';
import { RedisRevocationList, type RevocationFeedOptions } from './redis-revocation-list.js';
import { RedisSessionRepository } from './redis-session-repository.js';
import { RedisUserRepository } from './redis-user-repository.js';

export interface RedisStorageOptions extends ConnectionHooks {
  readonly feed?: RevocationFeedOptions;
}

/** Every port backed by Redis (standalone or Sentinel): the backend for STORAGE_BACKEND=redis. */
export class RedisStorage implements Storage {
  readonly backend = 'redis' as const;
  readonly users: RedisUserRepository;
  readonly sessions: RedisSessionRepository;
  readonly revocations: RedisRevocationList;
  readonly loginAttempts: RedisLoginAttemptCounter;

  private constructor(
    readonly connection: RedisConnection,
    options: RedisStorageOptions,
  ) {
    const keys = new RedisKeys(connection.config.keyPrefix);
    this.users = new RedisUserRepository(connection, keys);
    this.sessions = new RedisSessionRepository(connection, keys);
    this.revocations = new RedisRevocationList(connection, keys, options, options.feed);
    this.loginAttempts = new RedisLoginAttemptCounter(connection, keys);
  }

  /**
   * Connects and loads the revocation view. Rejects with the cause when Redis does not
   * answer within REDIS_FAILOVER_WAIT_MS, after releasing what it opened.
   */
  static async open(config: RedisConfig, options: RedisStorageOptions): Promise<RedisStorage> {
    const storage = new RedisStorage(new RedisConnection(config, options), options);
    try {
      await storage.revocations.ready(config.failoverWaitMs);
      await storage.connection.run('detect server version', () =>
        storage.connection.durabilityCommand(),
      );
      return storage;
    } catch (error) {
      await storage.close();
      throw error;
    }
  }

  async isReady(): Promise<boolean> {
    if (!this.revocations.isFresh()) return false;
    try {
      return (await this.connection.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.revocations.close();
    await this.connection.close();
  }
}

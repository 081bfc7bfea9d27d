import { type AttemptWindow, currentWindow } from '../../domain/login-attempt.js';
import type { LoginAttemptCounter } from '../../domain/ports.js';
import { execOrThrow, type RedisConnection } from './connection.js';
import { scripts } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** Failed logins per key in a hash `{failures, resetsAt}` that expires when its window closes. */
export class RedisLoginAttemptCounter implements LoginAttemptCounter {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {}

  async read(keys: readonly string[], now: number): Promise<AttemptWindow[]> {
    const replies = await this.connection.run('read login attempts', (client) => {
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hmget(this.keys.loginAttempts(key), 'failures', 'resetsAt');
      return execOrThrow(pipeline);
    });

    return keys.map((key, index) => {
      const [failures, resetsAt] = (replies[index] ?? []) as (string | null)[];
      const stored =
        failures == null || resetsAt == null
          ? null
          : { key, failures: Number(failures), resetsAt: Number(resetsAt) };
      return currentWindow(key, stored, now);
    });
  }

  async recordFailure(
    keys: readonly string[],
    windowMs: number,
    now: number,
  ): Promise<AttemptWindow[]> {
    // One atomic step per key: the keys live in different slots.
    return this.connection.run(
      'record login failure',
      (client) =>
        Promise.all(
          keys.map(async (key) => {
            const reply = (await scripts.recordLoginFailure.run(
              client,
              [this.keys.loginAttempts(key)],
              [now, windowMs],
            )) as [number, string];
            return { key, failures: Number(reply[0]), resetsAt: Number(reply[1]) };
          }),
        ),
      // Each repetition would count the failure again.
      { idempotent: false },
    );
  }

  async reset(key: string): Promise<void> {
    await this.connection.run('reset login attempts', (client) =>
      client.del(this.keys.loginAttempts(key)),
    );
  }
}

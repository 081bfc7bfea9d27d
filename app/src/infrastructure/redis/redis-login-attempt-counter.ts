import type { AttemptWindow } from '../../domain/login-attempt.js';
import type { LoginAttemptCounter } from '../../domain/ports.js';
import type { RedisConnection } from './connection.js';
import { scripts } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** Login attempts per key in a hash `{failures, resetsAt}` that expires when its window closes. */
export class RedisLoginAttemptCounter implements LoginAttemptCounter {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {}

  async reserve(keys: readonly string[], windowMs: number, now: number): Promise<AttemptWindow[]> {
    // One script per key, each atomic on its own (the keys live in different slots), and one
    // run per key, so a fault on one never repeats the count of another.
    return Promise.all(
      keys.map(async (key) => {
        const reply = (await this.connection.run(
          'reserve login attempt',
          (client) =>
            scripts.reserveLoginAttempt.run(
              client,
              [this.keys.loginAttempts(key)],
              [now, windowMs],
            ),
          // Each repetition would count the attempt again.
          { idempotent: false },
        )) as [number, string];
        return { key, failures: Number(reply[0]), resetsAt: Number(reply[1]) };
      }),
    );
  }

  async release(key: string, now: number): Promise<void> {
    await this.connection.run(
      'release login attempt',
      (client) => scripts.releaseLoginAttempt.run(client, [this.keys.loginAttempts(key)], [now]),
      // Each repetition would give back one more attempt than was counted.
      { idempotent: false },
    );
  }

  async reset(key: string): Promise<void> {
    await this.connection.run('reset login attempts', (client) =>
      client.del(this.keys.loginAttempts(key)),
    );
  }
}

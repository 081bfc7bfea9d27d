import { EmailAlreadyTaken } from '../../domain/errors.js';
import type { UserRepository } from '../../domain/ports.js';
import { normaliseEmail, type User } from '../../domain/user.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Users by id (`user:{id}` -> JSON) and by email (`email:{email}` -> id). The two keys live
 * in different slots, so creation is two idempotent steps: the record first, then the email
 * claimed with SET NX; a lost claim removes the record again. Users have no TTL: the set is
 * bounded by the number of accounts.
 */
export class RedisUserRepository implements UserRepository {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {}

  async create(user: User): Promise<void> {
    const stored: User = { ...user, email: normaliseEmail(user.email) };
    const userKey = this.keys.user(user.id);
    const emailKey = this.keys.email(stored.email);

    const claimed = await this.connection.run('create user', async (client) => {
      await client.set(userKey, JSON.stringify(stored));
      const reply = await client.set(emailKey, user.id, 'NX');
      if (reply === 'OK') return true;
      // A retry of our own claim finds the email already pointing at this user.
      return (await client.get(emailKey)) === user.id;
    });
    if (claimed) {
      // An account acknowledged to its owner must survive a failover like a logout does.
      await this.connection.confirmDurable('create user');
      return;
    }

    await this.connection.run('undo user record', (client) => client.del(userKey));
    throw new EmailAlreadyTaken();
  }

  async findByEmail(email: string): Promise<User | null> {
    const emailKey = this.keys.email(normaliseEmail(email));
    const userId = await this.connection.run('find user id', (client) => client.get(emailKey));
    if (userId === null) return null;
    return this.findById(userId);
  }

  async findById(id: string): Promise<User | null> {
    const stored = await this.connection.run('find user', (client) =>
      client.get(this.keys.user(id)),
    );
    return stored === null ? null : (JSON.parse(stored) as User);
  }
}

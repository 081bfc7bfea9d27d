import { EmailAlreadyTaken } from '../../domain/errors.js';
import type { UserRepository } from '../../domain/ports.js';
import { normaliseEmail, type User } from '../../domain/user.js';

/** Users in process memory. Accounts never expire, so nothing here is swept. */
export class MemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();

  async create(user: User): Promise<void> {
    const email = normaliseEmail(user.email);
    if (this.idByEmail.has(email)) throw new EmailAlreadyTaken();

    this.byId.set(user.id, { ...user, email });
    this.idByEmail.set(email, user.id);
  }

  async findByEmail(email: string): Promise<User | null> {
    const id = this.idByEmail.get(normaliseEmail(email));
    return id === undefined ? null : (this.byId.get(id) ?? null);
  }

  async findById(id: string): Promise<User | null> {
    return this.byId.get(id) ?? null;
  }
}

import { randomUUID } from 'node:crypto';
import { normaliseEmail, type User } from '../domain/user.js';
import type { AuthContext } from './auth-context.js';

export interface RegisterUserInput {
  readonly email: string;
  readonly password: string;
}

/** Creates an account; rejects with `EmailAlreadyTaken` when the email is registered. */
export async function registerUser(context: AuthContext, input: RegisterUserInput): Promise<User> {
  const user: User = {
    id: randomUUID(),
    email: normaliseEmail(input.email),
    passwordHash: await context.passwords.hash(input.password),
    createdAt: context.clock(),
  };

  await context.storage.users.create(user);
  return user;
}

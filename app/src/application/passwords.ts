import argon2 from 'argon2';

/**
 * argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane). The argon2 package hashes
 * on libuv's thread pool, so the event loop keeps serving while a hash runs.
 */
const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export class PasswordHasher {
  /** A hash of a random password, verified when the email is unknown so timing matches. */
  private readonly dummyHash: Promise<string>;

  constructor() {
    this.dummyHash = argon2.hash(`dummy-${Math.random()}-${Date.now()}`, HASH_OPTIONS);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, HASH_OPTIONS);
  }

  /** Verifies against `hash`, or against the dummy hash when there is none (always false). */
  async verify(hash: string | null, password: string): Promise<boolean> {
    const matches = await argon2.verify(hash ?? (await this.dummyHash), password);
    return hash !== null && matches;
  }
}

/** A registered account. `email` is stored normalised (trimmed, lower-cased). */
export interface User {
  readonly id: string;
  readonly email: string;
  /** argon2id hash in PHC string form; never logged, never returned by the API. */
  readonly passwordHash: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

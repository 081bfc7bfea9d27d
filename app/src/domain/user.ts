/** A registered account. `email` is stored normalised (trimmed, lower-cased). */
export interface User {
  readonly id: string;
  readonly email: string;
  /** argon2id hash in PHC string form; never logged, never returned by the API. */
  readonly passwordHash: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** The one spelling of an email under which it is stored and looked up. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

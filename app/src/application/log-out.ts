import type { VerifiedAccessToken } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';
import { revokeSessionOf } from './revoke-session.js';

/** Ends the session the caller's access token belongs to. */
export async function logOut(context: AuthContext, caller: VerifiedAccessToken): Promise<void> {
  await revokeSessionOf(context, caller.sub, caller.sid, context.clock());
}

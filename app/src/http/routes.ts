import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VerifiedAccessToken } from '../application/access-tokens.js';
import type { AuthContext } from '../application/auth-context.js';
import { authenticate } from '../application/authenticate.js';
import type { IssuedTokens } from '../application/issued-tokens.js';
import { listSessions } from '../application/list-sessions.js';
import { logIn } from '../application/log-in.js';
import { logOut } from '../application/log-out.js';
import { refreshSession } from '../application/refresh-session.js';
import { registerUser } from '../application/register-user.js';
import { revokeAllSessions } from '../application/revoke-all-sessions.js';
import { revokeSession } from '../application/revoke-session.js';
import { sessionExpiresAt } from '../domain/session.js';
import {
  credentialsBody,
  meResponse,
  refreshBody,
  sessionIdParams,
  sessionsResponse,
  tokensResponse,
  userResponse,
  withErrors,
} from './schemas.js';

interface Credentials {
  email: string;
  password: string;
}

const MAX_USER_AGENT_LENGTH = 256;
const bearer = [{ bearerAuth: [] }];

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token of an authenticated route. */
    caller: VerifiedAccessToken | null;
  }
}

/** The /v1 routes: thin adapters from HTTP to one use case each. */
export async function registerRoutes(app: FastifyInstance, context: AuthContext): Promise<void> {
  app.decorateRequest('caller', null);
  const requireCaller = async (request: FastifyRequest) => {
    request.caller = await authenticate(context, request.headers.authorization);
  };
  const callerOf = (request: FastifyRequest): VerifiedAccessToken => {
    if (request.caller === null) throw new Error('route is missing its authentication hook');
    return request.caller;
  };

  app.post<{ Body: Credentials }>(
    '/v1/users',
    { schema: { body: credentialsBody, response: withErrors({ 201: userResponse }) } },
    async (request, reply) => {
      const user = await registerUser(context, request.body);
      reply.status(201);
      return { id: user.id, email: user.email, createdAt: iso(user.createdAt) };
    },
  );

  app.post<{ Body: Credentials }>(
    '/v1/sessions',
    { schema: { body: credentialsBody, response: withErrors({ 201: tokensResponse }) } },
    async (request, reply) => {
      const userAgent = request.headers['user-agent']?.slice(0, MAX_USER_AGENT_LENGTH) ?? null;
      const issued = await logIn(context, {
        ...request.body,
        clientAddress: request.ip,
        userAgent,
      });
      reply.status(201);
      return tokensBody(issued, context.clock());
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/v1/sessions/refresh',
    { schema: { body: refreshBody, response: withErrors({ 200: tokensResponse }) } },
    async (request) => {
      const issued = await refreshSession(context, request.body.refreshToken);
      return tokensBody(issued, context.clock());
    },
  );

  app.get(
    '/v1/me',
    {
      onRequest: requireCaller,
      schema: { security: bearer, response: withErrors({ 200: meResponse }) },
    },
    async (request) => {
      const caller = callerOf(request);
      return { userId: caller.sub, email: caller.email, sessionId: caller.sid };
    },
  );

  app.get(
    '/v1/sessions',
    {
      onRequest: requireCaller,
      schema: { security: bearer, response: withErrors({ 200: sessionsResponse }) },
    },
    async (request) => {
      const caller = callerOf(request);
      const sessions = await listSessions(context, caller);
      return {
        sessions: sessions.map((session) => ({
          id: session.id,
          createdAt: iso(session.createdAt),
          lastSeenAt: iso(session.lastSeenAt),
          expiresAt: iso(sessionExpiresAt(session)),
          userAgent: session.userAgent,
          current: session.id === caller.sid,
        })),
      };
    },
  );

  app.delete(
    '/v1/sessions/current',
    { onRequest: requireCaller, schema: { security: bearer, response: withErrors({}) } },
    async (request, reply) => {
      await logOut(context, callerOf(request));
      reply.status(204).send();
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/sessions/:id',
    {
      onRequest: requireCaller,
      schema: { security: bearer, params: sessionIdParams, response: withErrors({}) },
    },
    async (request, reply) => {
      await revokeSession(context, callerOf(request), request.params.id);
      reply.status(204).send();
    },
  );

  app.delete(
    '/v1/sessions',
    {
      onRequest: requireCaller,
      schema: { security: bearer, response: withErrors({}) },
    },
    async (request, reply) => {
      await revokeAllSessions(context, callerOf(request));
      reply.status(204).send();
    },
  );
}

/** The token response of login and refresh; durations in whole seconds from `now`. */
function tokensBody(issued: IssuedTokens, now: number) {
  return {
    sessionId: issued.session.id,
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    tokenType: 'Bearer',
    expiresIn: secondsUntil(issued.accessTokenExpiresAt, now),
    refreshExpiresIn: secondsUntil(issued.refreshTokenExpiresAt, now),
    refreshTokenExpiresAt: iso(issued.refreshTokenExpiresAt),
  };
}

function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.round((epochMs - now) / 1000));
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

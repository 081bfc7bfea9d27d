import { errorBodySchema } from './error-catalogue.js';

/*
 * JSON schemas of the API. Every object refuses unknown fields and every string is bounded,
 * so absurd input is refused by validation before any use case runs.
 */

const email = { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' };
// NIST SP 800-63B: at least 8; the upper bound keeps argon2's input reasonable.
const password = { type: 'string', minLength: 8, maxLength: 1024 };
const isoTime = { type: 'string', format: 'date-time' };

export const credentialsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email, password },
} as const;

export const refreshBody = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

export const sessionIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

export const userResponse = {
  type: 'object',
  required: ['id', 'email', 'createdAt'],
  properties: { id: { type: 'string' }, email: { type: 'string' }, createdAt: isoTime },
} as const;

export const tokensResponse = {
  type: 'object',
  required: [
    'sessionId',
    'accessToken',
    'refreshToken',
    'tokenType',
    'expiresIn',
    'refreshExpiresIn',
  ],
  properties: {
    sessionId: { type: 'string' },
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'seconds until the access token expires' },
    refreshExpiresIn: {
      type: 'integer',
      description: 'seconds until the refresh token expires (or its session ends, if sooner)',
    },
    refreshTokenExpiresAt: isoTime,
  },
} as const;

export const meResponse = {
  type: 'object',
  required: ['userId', 'email', 'sessionId'],
  properties: {
    userId: { type: 'string' },
    email: { type: 'string' },
    sessionId: { type: 'string' },
  },
} as const;

export const sessionsResponse = {
  type: 'object',
  required: ['sessions'],
  properties: {
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'current'],
        properties: {
          id: { type: 'string' },
          createdAt: isoTime,
          lastSeenAt: isoTime,
          expiresAt: isoTime,
          userAgent: { type: ['string', 'null'] },
          current: { type: 'boolean' },
        },
      },
    },
  },
} as const;

/** Error responses every route may give, for the OpenAPI document. */
export function withErrors<T extends Record<number, unknown>>(responses: T) {
  return { ...responses, '4xx': errorBodySchema, '5xx': errorBodySchema };
}

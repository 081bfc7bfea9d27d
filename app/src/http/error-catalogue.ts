/**
 * Every error the API answers with: a stable code, its HTTP status and a message safe to
 * show. docs/errors.md documents each code (a test keeps them in step). A retired code is
 * never reused for another meaning.
 */
export interface CatalogueEntry {
  readonly status: number;
  readonly message: string;
}

export const ERROR_CATALOGUE = {
  AUTH_EMAIL_TAKEN: { status: 409, message: 'an account with this email already exists' },
  AUTH_INVALID_CREDENTIALS: { status: 401, message: 'email or password is wrong' },
  AUTH_RATE_LIMITED: { status: 429, message: 'too many failed logins; retry later' },
  AUTH_REFRESH_REUSED: {
    status: 401,
    message: 'refresh token was already used; its session has been revoked',
  },
  AUTH_REFRESH_ALREADY_ROTATED: {
    status: 409,
    message: 'refresh token was just rotated by a concurrent request',
  },
  AUTH_REFRESH_INVALID: { status: 401, message: 'refresh token is not valid' },
  AUTH_TOKEN_MISSING: { status: 401, message: 'a bearer access token is required' },
  AUTH_TOKEN_MALFORMED: { status: 401, message: 'access token is malformed' },
  AUTH_TOKEN_INVALID: { status: 401, message: 'access token is not valid' },
  AUTH_TOKEN_EXPIRED: { status: 401, message: 'access token has expired' },
  AUTH_TOKEN_REVOKED: { status: 401, message: 'access token has been revoked' },
  AUTH_SESSION_NOT_FOUND: { status: 404, message: 'session not found' },
  AUTH_STORE_UNAVAILABLE: { status: 503, message: 'the session store is unavailable; retry' },
  REQUEST_INVALID: { status: 400, message: 'request does not match the schema' },
  REQUEST_BODY_TOO_LARGE: { status: 413, message: 'request body is too large' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'request body must be application/json',
  },
  REQUEST_MALFORMED_JSON: { status: 400, message: 'request body is not valid UTF-8 JSON' },
  NOT_FOUND: { status: 404, message: 'no such route' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

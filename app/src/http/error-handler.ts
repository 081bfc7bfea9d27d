import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  AccessTokenExpired,
  AccessTokenInvalid,
  AccessTokenMalformed,
  AccessTokenMissing,
  AccessTokenRevoked,
  DomainError,
  EmailAlreadyTaken,
  InvalidCredentials,
  LoginRateLimited,
  RefreshTokenAlreadyRotated,
  RefreshTokenInvalid,
  RefreshTokenReused,
  SessionNotFound,
  StoreUnavailable,
} from '../domain/errors.js';
import { ERROR_CATALOGUE, type ErrorBody, type ErrorCode } from './error-catalogue.js';

/** An error as the API answers it. */
export interface ApiError {
  readonly code: ErrorCode;
  readonly status: number;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** Details safe to show (schema validation messages); never secrets. */
  readonly detail?: string;
}

const DOMAIN_CODES: ReadonlyArray<[abstract new (...args: never[]) => DomainError, ErrorCode]> = [
  [EmailAlreadyTaken, 'AUTH_EMAIL_TAKEN'],
  [InvalidCredentials, 'AUTH_INVALID_CREDENTIALS'],
  [LoginRateLimited, 'AUTH_RATE_LIMITED'],
  [RefreshTokenReused, 'AUTH_REFRESH_REUSED'],
  [RefreshTokenAlreadyRotated, 'AUTH_REFRESH_ALREADY_ROTATED'],
  [RefreshTokenInvalid, 'AUTH_REFRESH_INVALID'],
  [AccessTokenMissing, 'AUTH_TOKEN_MISSING'],
  [AccessTokenMalformed, 'AUTH_TOKEN_MALFORMED'],
  [AccessTokenInvalid, 'AUTH_TOKEN_INVALID'],
  [AccessTokenExpired, 'AUTH_TOKEN_EXPIRED'],
  [AccessTokenRevoked, 'AUTH_TOKEN_REVOKED'],
  [SessionNotFound, 'AUTH_SESSION_NOT_FOUND'],
  [StoreUnavailable, 'AUTH_STORE_UNAVAILABLE'],
];

const FRAMEWORK_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'REQUEST_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'REQUEST_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQUEST_MALFORMED_JSON',
};

export function apiError(code: ErrorCode, extra: Partial<ApiError> = {}): ApiError {
  const entry = ERROR_CATALOGUE[code];
  return { code, status: entry.status, message: entry.message, ...extra };
}

/** Maps anything thrown while serving a request to its catalogue entry. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof DomainError) return fromDomainError(error);

  const framework = error as Partial<FastifyError>;
  if (framework.validation !== undefined) {
    return apiError('REQUEST_INVALID', { detail: framework.message });
  }
  const code = framework.code === undefined ? undefined : FRAMEWORK_CODES[framework.code];
  if (code !== undefined) return apiError(code);
  const status = framework.statusCode ?? 500;
  if (status >= 400 && status < 500) return apiError('REQUEST_INVALID');
  return apiError('INTERNAL');
}

function fromDomainError(error: DomainError): ApiError {
  const code = DOMAIN_CODES.find(([type]) => error instanceof type)?.[1] ?? 'INTERNAL';
  const retryAfterSeconds =
    error instanceof LoginRateLimited || error instanceof StoreUnavailable
      ? error.retryAfterSeconds
      : undefined;
  return apiError(code, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
}

/** Writes the error response; 5xx are logged at error with the cause, 4xx at info. */
export function sendApiError(reply: FastifyReply, error: ApiError): void {
  if (error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  if (error.status === 401 && error.code.startsWith('AUTH_TOKEN_')) {
    reply.header('www-authenticate', 'Bearer');
  }
  const message = error.detail === undefined ? error.message : `${error.message}: ${error.detail}`;
  const body: ErrorBody = { error: { code: error.code, message } };
  reply.status(error.status).send(body);
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toApiError(error);
  if (mapped.status >= 500) {
    request.log.error({ err: error, code: mapped.code }, 'request failed');
  } else {
    request.log.info({ code: mapped.code }, 'request refused');
  }
  sendApiError(reply, mapped);
}

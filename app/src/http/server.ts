import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { AccessTokens } from '../application/access-tokens.js';
import { type AuthContext, policyFrom } from '../application/auth-context.js';
import { PasswordHasher } from '../application/passwords.js';
import type { Config, TrustProxy } from '../config.js';
import type { Storage } from '../domain/ports.js';
import { timedStorage } from '../infrastructure/timed-storage.js';
import { resolveSigningKeys } from '../signing-keys.js';
import type { StorageServices } from '../storage-factory.js';
import { apiError, handleError, sendApiError } from './error-handler.js';
import { createMetrics, registerLiveSessionsGauge } from './metrics.js';
import { registerRoutes } from './routes.js';

export interface ServerLogOptions {
  /** Defaults to the configured LOG_LEVEL. */
  readonly level?: string;
  /** Where JSON log lines go; defaults to stdout. Tests pass a capture. */
  readonly stream?: { write(line: string): unknown };
}

/** Opens a storage with the server's logger and metrics registry; the server then owns it. */
export type OpenStorage = (services: StorageServices) => Promise<Storage>;

export interface BuildServerOptions {
  readonly config: Config;
  /** A storage the caller opened and closes, or a way to open one that the server closes. */
  readonly storage: Storage | OpenStorage;
  readonly logger?: ServerLogOptions;
  /** Epoch milliseconds; tests pass their own. */
  readonly clock?: () => number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The Fastify app with every route, hook and plugin; the caller listens and closes it. */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.clock ?? Date.now;
  const app = Fastify({
    logger: {
      level: options.logger?.level ?? config.logLevel,
      // Pino's request serializer logs no headers or bodies; these paths guard any that are.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'body'],
      ...(options.logger?.stream === undefined ? {} : { stream: options.logger.stream }),
    },
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Refuse unknown fields and wrong types instead of silently stripping or coercing them.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Errors Fastify raises before routing (bad percent-encoding, an overlong parameter) go
    // through the catalogue too; its own answer would echo the path back. No hook runs for
    // them, so the request id header is set here.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      handleError(error, request, reply);
    },
  });

  // Keys first: a bad key stops the start before any connection to the store is opened.
  const keys = await resolveSigningKeys(config, app.log);
  const metrics = createMetrics();
  const opened = await openStorage(app, options.storage, metrics.registry);
  const storage = timedStorage(opened, (operation, seconds) =>
    metrics.storageDuration.observe({ backend: opened.backend, operation }, seconds),
  );
  registerLiveSessionsGauge(metrics, opened, clock);
  const context: AuthContext = {
    storage,
    passwords: new PasswordHasher(),
    accessTokens: new AccessTokens({
      keys,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ttlSeconds: config.accessTokenTtlSeconds,
    }),
    policy: policyFrom(config),
    clock,
  };

  acceptOnlyStrictJson(app);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((_request, reply) => sendApiError(reply, apiError('NOT_FOUND')));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'auth-session-stack', version: '1.0.0' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await registerRoutes(app, context);
  registerOperationalRoutes(app, opened, metrics.registry);
  return app;
}

/**
 * Fastify fails closed on a numeric `trustProxy` (it trusts no hop), so a hop count is given
 * as a function: the socket peer is hop 0, then each X-Forwarded-For entry from the right.
 * The client address is the entry the last trusted proxy saw, never the leftmost one; it is
 * only sound when every connection comes through those proxies (else list their addresses).
 */
function trustProxyOption(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

async function openStorage(
  app: FastifyInstance,
  storage: Storage | OpenStorage,
  registry: ReturnType<typeof createMetrics>['registry'],
): Promise<Storage> {
  if (typeof storage !== 'function') return storage;

  const owned = await storage({ logger: app.log.child({ component: 'storage' }), registry });
  app.addHook('onClose', async () => {
    await owned.close();
  });
  return owned;
}

/**
 * application/json only, decoded as strict UTF-8 (invalid bytes are refused, not replaced)
 * and parsed with Fastify's poisoning-safe parser. Every other media type answers 415.
 */
function acceptOnlyStrictJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(
        Object.assign(new Error('body is not UTF-8'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
      );
      return;
    }
    parseJson(request, text, done);
  });
}

function registerOperationalRoutes(
  app: FastifyInstance,
  storage: Storage,
  registry: ReturnType<typeof createMetrics>['registry'],
): void {
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_request, reply) => {
    if (await storage.isReady()) return { status: 'ready' };
    sendApiError(reply, apiError('AUTH_STORE_UNAVAILABLE', { retryAfterSeconds: 1 }));
    return reply;
  });
  app.get('/metrics', hidden, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.get('/openapi.json', hidden, async () => app.swagger());
}

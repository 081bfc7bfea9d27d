/**
 * Traffic for chaos tests: workers log in, refresh and log out across every instance while a
 * fault runs, and remember what the service acknowledged. Afterwards each acknowledgement
 * is checked against the live system: a session is still valid, a logout still refused, a
 * rotated refresh token still spent. An acknowledgement that does not hold is lost.
 */
import { randomBytes } from 'node:crypto';

export type Operation = 'login' | 'refresh' | 'logout';

/** acknowledged: 2xx; retryable: 503 AUTH_STORE_UNAVAILABLE; failed: anything else. */
export type Outcome = 'acknowledged' | 'retryable' | 'failed';

export interface OperationRecord {
  readonly operation: Operation;
  readonly outcome: Outcome;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Status or error code; never a token. */
  readonly detail: string;
}

export interface TrafficReport {
  readonly acknowledged: number;
  readonly retryable: number;
  /** Errors that are neither success nor a clear retryable 503 (should be 0). */
  readonly failed: number;
  /** Acknowledged operations the live system no longer honours (must be 0). */
  readonly lost: number;
  readonly lostDetails: string[];
  /** Longest time from a failed write to the next acknowledged one, in ms. */
  readonly longestWriteOutageMs: number;
  /** Longest single acknowledged operation, in ms: how long a failover held callers. */
  readonly longestAcknowledgedMs: number;
  readonly failedDetails: string[];
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** What one acknowledged login led to; checked at the end. */
interface TrackedSession {
  tokens: Tokens;
  /** Refresh tokens the service acknowledged as rotated: each must stay spent. */
  spent: string[];
  state: 'live' | 'logged-out' | 'uncertain';
}

export class TrafficChecker {
  readonly records: OperationRecord[] = [];
  readonly #sessions: TrackedSession[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  #calls = 0;

  constructor(
    readonly apps: readonly string[],
    readonly workers = 4,
  ) {}

  /** Starts the workers; each registers its own user first. */
  async start(): Promise<void> {
    const users = await Promise.all(
      Array.from({ length: this.workers }, async () => {
        const email = `chaos-${randomBytes(6).toString('hex')}@example.test`;
        const password = randomBytes(12).toString('base64url');
        const response = await this.#call('POST', '/v1/users', { email, password });
        if (response.status !== 201) throw new Error(`register answered ${response.status}`);
        return { email, password };
      }),
    );
    this.#running = true;
    this.#loops = users.map((user) => this.#work(user));
  }

  /** Stops the workers after their current operation. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /**
   * Checks every acknowledgement against the live system; run after stop() and healing.
   * Live sessions: the access token is accepted and the current refresh token works. Logged
   * out: the access token is refused. Rotated: every spent refresh token is refused.
   */
  async verify(): Promise<TrafficReport> {
    const lostDetails: string[] = [];
    const expect = async (what: string, path: string, body: object | undefined, auth?: string) => {
      const status = await this.#settled(path, body, auth);
      const wanted = what === 'valid' ? status === 200 : status === 401;
      if (!wanted) lostDetails.push(`${path} expected ${what}, got ${status}`);
    };

    // Read-only checks first: presenting a spent refresh token revokes its session.
    for (const session of this.#sessions) {
      const auth = session.tokens.accessToken;
      if (session.state === 'live') await expect('valid', '/v1/me', undefined, auth);
      if (session.state === 'logged-out') await expect('refused', '/v1/me', undefined, auth);
    }
    // The current refresh token of a live session still works (it rotates it: last use).
    for (const session of this.#sessions) {
      if (session.state !== 'live') continue;
      await expect('valid', '/v1/sessions/refresh', { refreshToken: session.tokens.refreshToken });
    }
    for (const session of this.#sessions) {
      for (const refreshToken of session.spent) {
        await expect('refused', '/v1/sessions/refresh', { refreshToken });
      }
    }

    const count = (outcome: Outcome) => this.records.filter((r) => r.outcome === outcome).length;
    return {
      acknowledged: count('acknowledged'),
      retryable: count('retryable'),
      failed: count('failed'),
      lost: lostDetails.length,
      lostDetails,
      longestWriteOutageMs: longestOutage(this.records),
      longestAcknowledgedMs: Math.max(
        0,
        ...this.records
          .filter((record) => record.outcome === 'acknowledged')
          .map((record) => record.endedAt - record.startedAt),
      ),
      failedDetails: this.records
        .filter((record) => record.outcome === 'failed')
        .map((record) => `${record.operation}: ${record.detail}`),
    };
  }

  /** One worker: log in, refresh twice, log out, again until stopped. */
  async #work(user: { email: string; password: string }): Promise<void> {
    while (this.#running) {
      const login = await this.#record('login', 'POST', '/v1/sessions', user);
      if (login.tokens === undefined) continue;
      const session: TrackedSession = { tokens: login.tokens, spent: [], state: 'live' };
      this.#sessions.push(session);

      for (let round = 0; round < 2 && this.#running; round += 1) {
        const presented = session.tokens.refreshToken;
        const refresh = await this.#record('refresh', 'POST', '/v1/sessions/refresh', {
          refreshToken: presented,
        });
        if (refresh.tokens === undefined) {
          // The rotation may or may not have happened: nothing certain is left to check.
          session.state = 'uncertain';
          break;
        }
        session.spent.push(presented);
        session.tokens = refresh.tokens;
      }
      if (session.state !== 'live' || !this.#running) continue;

      const logout = await this.#record(
        'logout',
        'DELETE',
        '/v1/sessions/current',
        undefined,
        session.tokens.accessToken,
      );
      session.state = logout.outcome === 'acknowledged' ? 'logged-out' : 'uncertain';
    }
  }

  async #record(
    operation: Operation,
    method: string,
    path: string,
    body: object | undefined,
    auth?: string,
  ): Promise<{ outcome: Outcome; tokens?: Tokens }> {
    const startedAt = Date.now();
    const response = await this.#call(method, path, body, auth);
    const outcome = classify(response);
    this.records.push({
      operation,
      outcome,
      startedAt,
      endedAt: Date.now(),
      detail: `${response.status} ${response.code ?? ''}`.trim(),
    });
    const tokens = response.body as Partial<Tokens> | undefined;
    if (outcome !== 'acknowledged' || typeof tokens?.refreshToken !== 'string') return { outcome };
    return { outcome, tokens: tokens as Tokens };
  }

  /** A check's answer once the system answers something other than 503 (bounded retries). */
  async #settled(path: string, body: object | undefined, auth?: string): Promise<number> {
    let status = 0;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const method = body === undefined ? 'GET' : 'POST';
      status = (await this.#call(method, path, body, auth)).status;
      if (status !== 503 && status !== 0) return status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return status;
  }

  /** One request to the next instance in turn; status 0 when no answer came. */
  async #call(method: string, path: string, body: object | undefined, auth?: string) {
    const base = this.apps[this.#calls++ % this.apps.length];
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth !== undefined) headers.authorization = `Bearer ${auth}`;
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      const code = (parsed?.error as { code?: string } | undefined)?.code;
      return { status: response.status, code, body: parsed };
    } catch (error) {
      return { status: 0, code: (error as Error).name, body: undefined };
    }
  }
}

function classify(response: { status: number; code?: string }): Outcome {
  if (response.status >= 200 && response.status < 300) return 'acknowledged';
  if (response.status === 503 && response.code === 'AUTH_STORE_UNAVAILABLE') return 'retryable';
  return 'failed';
}

/** Longest span from the start of a failed write to the end of the next acknowledged one. */
export function longestOutage(records: readonly OperationRecord[]): number {
  const byEnd = [...records].sort((a, b) => a.endedAt - b.endedAt);
  let failingSince: number | undefined;
  let longest = 0;
  for (const record of byEnd) {
    if (record.outcome !== 'acknowledged') {
      failingSince = Math.min(failingSince ?? record.startedAt, record.startedAt);
      continue;
    }
    if (failingSince === undefined || record.startedAt < failingSince) continue;
    longest = Math.max(longest, record.endedAt - failingSince);
    failingSince = undefined;
  }
  const lastEnd = byEnd.at(-1)?.endedAt;
  if (failingSince !== undefined && lastEnd !== undefined) {
    longest = Math.max(longest, lastEnd - failingSince);
  }
  return longest;
}

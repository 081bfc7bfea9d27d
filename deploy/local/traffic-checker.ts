/**
 * Traffic for chaos tests: workers log in, refresh and log out across every instance while a
 * fault runs, and remember what the service acknowledged. Afterwards each acknowledgement
 * is checked against the live system: a session still listed and valid, a logout still
 * refused, a rotated refresh token still spent. An acknowledgement that does not hold is
 * lost; so is one a later step of the run finds broken (a freshly issued refresh token
 * refused with 401 means the login or rotation that issued it is gone).
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
  /** Of those, acknowledged logouts whose access token works again (a security hole). */
  readonly lostRevocations: number;
  readonly lostDetails: string[];
  /** Sessions whose state was checked afterwards (live, logged out, or rotation unknown). */
  readonly checkedSessions: number;
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
  readonly id: string;
  tokens: Tokens;
  /** Refresh tokens the service acknowledged as rotated: each must stay spent. */
  spent: string[];
  /**
   * rotation-unknown: a refresh got no clear answer, so which refresh token is current is
   * unknown, but the session must still exist. logout-unknown: a logout got no clear answer.
   * lost: found broken during the run (already counted).
   */
  state: 'live' | 'logged-out' | 'rotation-unknown' | 'logout-unknown' | 'lost';
}

export class TrafficChecker {
  readonly records: OperationRecord[] = [];
  readonly #sessions: TrackedSession[] = [];
  /** Acknowledgements a later step of the run already found broken. */
  readonly #lostDuringRun: string[] = [];
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
    const lostDetails = [...this.#lostDuringRun];
    let lostRevocations = 0;
    const expect = async (what: string, path: string, body: object | undefined, auth?: string) => {
      const { status } = await this.#settled(path, body, auth);
      const wanted = what === 'valid' ? status === 200 : status === 401;
      if (!wanted) lostDetails.push(`${path} expected ${what}, got ${status}`);
      return wanted;
    };

    // Read-only checks first: presenting a spent refresh token revokes its session.
    for (const session of this.#sessions) {
      const auth = session.tokens.accessToken;
      if (session.state === 'live') await expect('valid', '/v1/me', undefined, auth);
      if (session.state === 'logged-out') {
        if (!(await expect('refused', '/v1/me', undefined, auth))) lostRevocations += 1;
      }
    }
    // Access tokens are checked without a storage round trip, so a session lost from Redis
    // shows only in the user's session list.
    for (const session of this.#sessions) {
      if (session.state !== 'live' && session.state !== 'rotation-unknown') continue;
      const listed = await this.#settled('/v1/sessions', undefined, session.tokens.accessToken);
      const ids = (listed.body?.sessions as { id?: string }[] | undefined)?.map((s) => s.id);
      if (listed.status !== 200 || !ids?.includes(session.id)) {
        lostDetails.push(`acknowledged login: session not listed (status ${listed.status})`);
      }
    }
    // The current refresh token of a live session still works (it rotates it: last use).
    for (const session of this.#sessions) {
      if (session.state !== 'live') continue;
      await expect('valid', '/v1/sessions/refresh', { refreshToken: session.tokens.refreshToken });
    }
    for (const session of this.#sessions) {
      if (session.state === 'lost') continue; // counted once; the rest of it proves nothing
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
      lostRevocations,
      lostDetails,
      checkedSessions: this.#sessions.filter((session) => session.state !== 'logout-unknown')
        .length,
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
      if (login.tokens === undefined || login.sessionId === undefined) continue;
      const session: TrackedSession = {
        id: login.sessionId,
        tokens: login.tokens,
        spent: [],
        state: 'live',
      };
      this.#sessions.push(session);

      for (let round = 0; round < 2 && this.#running; round += 1) {
        const presented = session.tokens.refreshToken;
        const refresh = await this.#record('refresh', 'POST', '/v1/sessions/refresh', {
          refreshToken: presented,
        });
        if (refresh.status === 401) {
          // Never presented before, so only a lost login or rotation explains a refusal.
          const issuer = round === 0 ? 'login' : 'refresh';
          this.#lostDuringRun.push(`acknowledged ${issuer}: its refresh token was refused`);
          session.state = 'lost';
          break;
        }
        if (refresh.tokens === undefined) {
          // The rotation may or may not have happened; the session itself must remain.
          session.state = 'rotation-unknown';
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
      session.state = logout.outcome === 'acknowledged' ? 'logged-out' : 'logout-unknown';
    }
  }

  async #record(
    operation: Operation,
    method: string,
    path: string,
    body: object | undefined,
    auth?: string,
  ): Promise<{ outcome: Outcome; status: number; tokens?: Tokens; sessionId?: string }> {
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
    const status = response.status;
    const tokens = response.body as (Partial<Tokens> & { sessionId?: unknown }) | undefined;
    if (outcome !== 'acknowledged' || typeof tokens?.refreshToken !== 'string') {
      return { outcome, status };
    }
    const sessionId = typeof tokens.sessionId === 'string' ? tokens.sessionId : undefined;
    return { outcome, status, tokens: tokens as Tokens, sessionId };
  }

  /** A check's answer once the system answers something other than 503 (bounded retries). */
  async #settled(path: string, body: object | undefined, auth?: string) {
    let response = await this.#call(body === undefined ? 'GET' : 'POST', path, body, auth);
    for (let attempt = 1; attempt < 40; attempt += 1) {
      if (response.status !== 503 && response.status !== 0) return response;
      await new Promise((resolve) => setTimeout(resolve, 250));
      response = await this.#call(body === undefined ? 'GET' : 'POST', path, body, auth);
    }
    return response;
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

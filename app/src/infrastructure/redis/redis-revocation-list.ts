import type { Redis } from 'ioredis';
import type { RevocationList } from '../../domain/ports.js';
import type { AccessTokenClaims, Revocation, RevocationCheck } from '../../domain/revocation.js';
import { type ConnectionHooks, createRedisClient, type RedisConnection } from './connection.js';
import { scripts } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import { decodeRevocation, encodeRevocation, RevocationView } from './revocation-view.js';

export interface RevocationFeedOptions {
  /** How long one XREAD blocks; also how often the view is confirmed fresh when idle. */
  readonly blockMs?: number;
  /** The feed keeps about this many entries (MAXLEN ~); a reader further behind resyncs. */
  readonly feedMaxLength?: number;
  readonly clock?: () => number;
}

const readBatch = 1_000;
const pauseAfterFaultMs = 200;

/**
 * The revocation list: entries in a sorted set (score = until) plus a Stream that announces
 * each write. Every instance keeps a view fed by its own reader on a dedicated connection:
 * a full snapshot on start, after a fault or when a gap is detected, then the stream from
 * the snapshot's id on. `check` answers from the view and fails closed when it is stale.
 */
export class RedisRevocationList implements RevocationList {
  private readonly view: RevocationView;
  private readonly feedClient: Redis;
  private readonly blockMs: number;
  private readonly feedMaxLength: number;
  private readonly clock: () => number;
  private lastId = '0-0';
  private needsSnapshot = true;
  private running = true;
  private readonly loop: Promise<void>;
  private firstSync: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
    hooks: ConnectionHooks,
    options: RevocationFeedOptions = {},
  ) {
    const { revocationMaxStalenessMs } = connection.config;
    this.blockMs = options.blockMs ?? Math.min(1_000, Math.floor(revocationMaxStalenessMs / 3));
    this.feedMaxLength = options.feedMaxLength ?? 100_000;
    this.clock = options.clock ?? Date.now;
    this.view = new RevocationView(revocationMaxStalenessMs);
    this.feedClient = createRedisClient(
      connection.config,
      'auth-revocation-feed',
      this.blockMs + 2_000,
      hooks,
    );
    let resolve = () => {};
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    this.firstSync = { promise, resolve };
    this.loop = this.follow();
  }

  /** Resolves once the view has loaded a snapshot, or rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('revocation view not loaded')), timeoutMs);
    });
    try {
      await Promise.race([this.firstSync.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  isFresh(): boolean {
    return this.view.isFresh();
  }

  async revoke(revocations: readonly Revocation[]): Promise<void> {
    if (revocations.length === 0) return;
    const pairs = revocations.flatMap((revocation) => [
      revocation.until,
      encodeRevocation(revocation),
    ]);
    const payload = JSON.stringify(revocations.map((r) => [encodeRevocation(r), r.until]));

    await this.connection.run('revoke', (client) =>
      scripts.revoke.run(
        client,
        [this.keys.revocationEntries(), this.keys.revocationFeed()],
        [this.clock(), this.feedMaxLength, payload, ...pairs],
      ),
    );
    await this.connection.confirmDurable('revoke');
    this.view.apply(revocations);
  }

  check(claims: AccessTokenClaims, now: number): RevocationCheck {
    return this.view.check(claims, now);
  }

  async close(): Promise<void> {
    this.running = false;
    this.feedClient.disconnect();
    await this.loop;
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        if (this.needsSnapshot) {
          await this.loadSnapshot();
          continue;
        }
        const before = this.lastId;
        await this.readFeed();
        if (await this.gapSince(before)) {
          this.needsSnapshot = true;
          continue;
        }
        this.view.confirmFresh();
        this.view.sweep(this.clock());
      } catch {
        // The connection logs its own faults; the next round starts from a snapshot.
        this.needsSnapshot = true;
        if (this.running) await new Promise((resolve) => setTimeout(resolve, pauseAfterFaultMs));
      }
    }
  }

  private async loadSnapshot(): Promise<void> {
    const now = this.clock();
    const [lastId, flat] = (await scripts.revocationSnapshot.run(
      this.feedClient,
      [this.keys.revocationEntries(), this.keys.revocationFeed()],
      [now],
    )) as [string, string[]];

    const revocations: Revocation[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      const decoded = decodeRevocation(flat[index] as string, Number(flat[index + 1]));
      if (decoded !== null) revocations.push(decoded);
    }
    this.view.replace(revocations);
    this.lastId = lastId;
    this.needsSnapshot = false;
    this.view.confirmFresh();
    this.firstSync.resolve();
  }

  /**
   * True when entries after `before` may have been missed: trimmed away (the stream deleted
   * ids beyond it), or the stream restarted below our last id or vanished (a failover to a
   * replica that had not received them). Checked after each read, so a trim that XREAD
   * silently skipped over is still seen.
   */
  private async gapSince(before: string): Promise<boolean> {
    let info: unknown[];
    try {
      info = (await this.feedClient.xinfo('STREAM', this.keys.revocationFeed())) as unknown[];
    } catch (error) {
      if (error instanceof Error && /no such key/i.test(error.message))
        return this.lastId !== '0-0';
      throw error;
    }
    const field = (name: string) => String(info[info.indexOf(name) + 1] ?? '0-0');
    return (
      compareIds(field('max-deleted-entry-id'), before) > 0 ||
      compareIds(field('last-generated-id'), this.lastId) < 0
    );
  }

  private async readFeed(): Promise<void> {
    const reply = await this.feedClient.xread(
      'COUNT',
      readBatch,
      'BLOCK',
      this.blockMs,
      'STREAMS',
      this.keys.revocationFeed(),
      this.lastId,
    );
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        this.view.apply(parsePayload(fields[fields.indexOf('r') + 1]));
        this.lastId = id;
      }
    }
  }
}

function parsePayload(payload: string | undefined): Revocation[] {
  if (payload === undefined) return [];
  const pairs = JSON.parse(payload) as [string, number][];
  return pairs.flatMap(([member, until]) => decodeRevocation(member, until) ?? []);
}

/** Orders stream ids `<ms>-<seq>` numerically. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

import type { Redis } from 'ioredis';
import type { RevocationList } from '../../domain/ports.js';
import type { AccessTokenClaims, Revocation, RevocationCheck } from '../../domain/revocation.js';
import {
  type ConnectionHooks,
  createRedisClient,
  type RedisConnection,
  type RedisLogger,
  servesAsMaster,
} from './connection.js';
import { scripts } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import { decodeRevocation, encodeRevocation, RevocationView } from './revocation-view.js';

export interface RevocationFeedOptions {
  /** How long one XREAD blocks; also how often the view is confirmed fresh when idle. */
  readonly blockMs?: number;
  /** The feed keeps about this many entries (MAXLEN ~); a reader further behind resyncs. */
  readonly feedMaxLength?: number;
  /**
   * A full resync this often (plus up to 10 % jitter) even when no gap was seen: a backstop,
   * one snapshot per instance per interval (default 5 minutes).
   */
  readonly resyncIntervalMs?: number;
  readonly clock?: () => number;
}

const readBatch = 1_000;
const pauseAfterFaultMs = 200;
const defaultResyncIntervalMs = 5 * 60_000;

/**
 * The revocation list: entries in a sorted set (score = until) plus a Stream that announces
 * each write. Every instance keeps a view fed by its own reader on a dedicated connection:
 * a full snapshot on start, after a fault, when a gap is detected and every few minutes,
 * then the stream from the snapshot's id on. A snapshot is merged into the view, never
 * replaces it. `check` answers from the view and fails closed when it is stale; the view is
 * confirmed fresh only by reads from a master with enough good replicas.
 */
export class RedisRevocationList implements RevocationList {
  private readonly view: RevocationView;
  private readonly feedClient: Redis;
  private readonly blockMs: number;
  private readonly feedMaxLength: number;
  private readonly resyncIntervalMs: number;
  private readonly clock: () => number;
  private readonly logger: RedisLogger;
  private lastId = '0-0';
  private needsSnapshot = true;
  private nextResyncAt = 0;
  private trustedSource = true;
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
    this.resyncIntervalMs = options.resyncIntervalMs ?? defaultResyncIntervalMs;
    this.clock = options.clock ?? Date.now;
    this.logger = hooks.logger;
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

  /**
   * Resolves once the view has loaded a snapshot from a master it trusts (so `check` answers
   * from it), or rejects after `timeoutMs`.
   */
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
        if (this.needsSnapshot || performance.now() >= this.nextResyncAt) {
          await this.loadSnapshot();
          continue;
        }
        const linked = await this.readFeed();
        const [streamLost, replication] = await this.feedState();
        if (!linked || streamLost) {
          this.needsSnapshot = true;
          continue;
        }
        this.confirmIfTrusted(replication);
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
    const [lastId, flat, replication] = (await scripts.revocationSnapshot.run(
      this.feedClient,
      [this.keys.revocationEntries(), this.keys.revocationFeed()],
      [now],
    )) as [string, string[], string];

    const revocations: Revocation[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      const decoded = decodeRevocation(flat[index] as string, Number(flat[index + 1]));
      if (decoded !== null) revocations.push(decoded);
    }
    // Merged, never replaced: the store may have lost an entry this view still holds (a
    // failover to a replica that missed it), and a revocation must outlive its tokens.
    this.view.sweep(now);
    this.view.apply(revocations);
    this.lastId = lastId;
    this.needsSnapshot = false;
    this.nextResyncAt = performance.now() + this.resyncIntervalMs * (1 + Math.random() / 10);
    this.confirmIfTrusted(replication);
  }

  /**
   * Reads the next batch and applies it; false when the chain broke. Each entry names its
   * predecessor; one that does not name the last entry read means entries in between were
   * trimmed away or never reached this node, and the reader must resync.
   */
  private async readFeed(): Promise<boolean> {
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
        if (fieldOf(fields, 'p') !== this.lastId) return false;
        this.view.apply(parsePayload(fieldOf(fields, 'r')));
        this.lastId = id;
      }
    }
    return true;
  }

  /**
   * One round trip after each read: whether the stream went missing or restarted below our
   * last id (a new master that never saw those entries, so new ones may land below it and
   * XREAD would never return them), and the node's replication state.
   */
  private async feedState(): Promise<[boolean, string]> {
    const [stream, replication] = (await this.feedClient
      .pipeline()
      .xinfo('STREAM', this.keys.revocationFeed())
      .info('replication')
      .exec()) as [[Error | null, unknown[]], [Error | null, string]];
    if (replication[0]) throw replication[0];

    const [streamError, info] = stream;
    if (streamError && /no such key/i.test(streamError.message)) {
      return [this.lastId !== '0-0', replication[1]];
    }
    if (streamError) throw streamError;
    const lastGenerated = String(info[info.indexOf('last-generated-id') + 1] ?? '0-0');
    return [compareIds(lastGenerated, this.lastId) < 0, replication[1]];
  }

  /**
   * Confirms the view fresh only when the node read from is a master with enough good
   * replicas; otherwise the view ages into `unknown`. A replica under Sentinel means our
   * connection missed a switch: reconnecting asks the sentinels for the master again.
   */
  private confirmIfTrusted(replication: string): void {
    const { waitReplicas, target } = this.connection.config;
    const trusted = servesAsMaster(replication, waitReplicas);
    if (trusted !== this.trustedSource) {
      const details = { role: /^role:(\w+)/m.exec(replication)?.[1], waitReplicas };
      if (trusted) this.logger.info(details, 'revocation feed reads from a master again');
      else this.logger.warn(details, 'revocation feed source is not a master with replicas');
      this.trustedSource = trusted;
    }
    if (trusted) {
      this.view.confirmFresh();
      this.firstSync.resolve();
      return;
    }
    if (target.mode === 'sentinel' && !/^role:master/m.test(replication)) {
      this.needsSnapshot = true;
      this.feedClient.disconnect(true);
    }
  }
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === name) return fields[index + 1];
  }
  return undefined;
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

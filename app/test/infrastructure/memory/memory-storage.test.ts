import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/infrastructure/memory/memory-storage.js';
import { describeStorageContract } from '../../storage/storage-contract.js';
import { HOUR, makeRefreshToken, makeSession, makeUser } from '../../support/factories.js';

describeStorageContract('memory', async () => {
  const storage = new MemoryStorage();
  return { storage, close: () => storage.close() };
});

describe('memory storage sweep', () => {
  it('drops ended sessions, their tokens and index entries, and keeps live ones', async () => {
    let now = Date.now();
    const storage = new MemoryStorage({ clock: () => now });
    const user = makeUser();
    const ending = makeSession(user.id, now);
    const lasting = makeSession(user.id, now, { idleExpiresAt: now + 3 * HOUR });
    await storage.sessions.create(ending, makeRefreshToken(ending, now).record);
    await storage.sessions.create(lasting, makeRefreshToken(lasting, now).record);

    now += 2 * HOUR;
    storage.sweep();

    expect(await storage.sessions.countLive(now)).toBe(1);
    expect(await storage.sessions.listLive(user.id, now - 2 * HOUR)).toEqual([lasting]);
    await storage.close();
  });

  it('reports not ready once closed', async () => {
    const storage = new MemoryStorage();
    await storage.close();

    expect(await storage.isReady()).toBe(false);
  });
});

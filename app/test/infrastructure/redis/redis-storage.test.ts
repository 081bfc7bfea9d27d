import { afterAll, beforeAll } from 'vitest';
import { describeStorageContract } from '../../storage/storage-contract.js';
import {
  openStorage,
  type RedisTopology,
  startStandalone,
  testConfig,
} from '../../support/redis.js';

// One standalone server for the whole contract suite: its ids are random, so tests share it.
let topology: RedisTopology;

beforeAll(async () => {
  topology = await startStandalone();
});

afterAll(async () => {
  await topology?.stop();
});

describeStorageContract('redis (standalone)', async () => {
  const storage = await openStorage(testConfig({ REDIS_URL: topology.url }));
  return { storage, close: () => storage.close() };
});

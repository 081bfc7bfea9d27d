import { afterAll, beforeAll } from 'vitest';
import { describeStorageContract } from '../../app/test/storage/storage-contract.js';
import { openStorage, testConfig } from '../../app/test/support/redis.js';
import { serviceAclRules } from '../../components/redis-config.js';
import { type RedisTopology, startStandalone } from '../../deploy/local/redis-topology.js';

// The Kubernetes stack gives the service an ACL user limited to its key prefix and a list of
// commands, and Redis checks that list inside Lua scripts too. Running the whole storage
// contract as that user proves the list covers every command the adapter sends.
const keyPrefix = 'auth:';
const password = 'acl-test-password-not-a-secret';
let topology: RedisTopology;

beforeAll(async () => {
  const redisVersion: [number, number] = [7, 0];
  topology = await startStandalone({
    redisLines: [`user auth-service on >${password} ${serviceAclRules(keyPrefix, redisVersion)}`],
  });
});

afterAll(async () => {
  await topology?.stop();
});

describeStorageContract('redis as the service ACL user', async () => {
  const url = new URL(topology.url);
  url.username = 'auth-service';
  url.password = password;
  const storage = await openStorage(
    testConfig({ REDIS_URL: url.toString(), REDIS_KEY_PREFIX: keyPrefix }),
  );
  return { storage, close: () => storage.close() };
});

// The real program refuses a bad stack configuration before creating anything, and says which
// key is wrong.
import { expect, it } from 'vitest';
import { runStack, stackConfig } from './mocks.js';

it('stops the dev program on an even number of sentinels, naming the key', async () => {
  const config = { ...stackConfig('dev'), 'auth-stack:sentinelReplicas': '4' };
  await expect(runStack('dev', config)).rejects.toThrow(
    'auth-stack:sentinelReplicas must be odd, so a partition always leaves one majority',
  );
});

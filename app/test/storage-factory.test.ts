import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createStorage } from '../src/storage-factory.js';

describe('createStorage', () => {
  it('opens the memory backend by default', async () => {
    const storage = await createStorage(loadConfig({}));
    expect(storage.backend).toBe('memory');
    await storage.close();
  });
});

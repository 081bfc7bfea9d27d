import type { Config } from './config.js';
import type { Storage } from './domain/ports.js';
import { MemoryStorage } from './infrastructure/memory/memory-storage.js';

export class StorageBackendUnavailable extends Error {
  constructor(backend: string) {
    super(
      `STORAGE_BACKEND=${backend} is not available yet in this build; use STORAGE_BACKEND=memory`,
    );
    this.name = 'StorageBackendUnavailable';
  }
}

/** The composition root's one place that picks a storage adapter. */
export async function createStorage(config: Config): Promise<Storage> {
  switch (config.storageBackend) {
    case 'memory':
      return new MemoryStorage();
    case 'redis':
      // TODO(redis): the redis engineer wires the Sentinel-aware adapter in here.
      throw new StorageBackendUnavailable('redis');
  }
}

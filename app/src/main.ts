import { InvalidConfiguration, loadConfig } from './config.js';
import { buildServer } from './http/server.js';
import { createStorage } from './storage-factory.js';

/** The entry point: configuration, storage, server; closes cleanly on SIGINT and SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The server opens the storage with its own logger and metrics, and closes it on close.
  const app = await buildServer({
    config,
    storage: (services) => createStorage(config, services),
  });

  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // Close the store's connections too, or they would keep the failed process alive.
    await app.close();
    throw error;
  }
}

main().catch((error: unknown) => {
  // The configuration's message names the variable and never carries a secret.
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof InvalidConfiguration ? message : `start failed: ${message}`);
  process.exitCode = 1;
});

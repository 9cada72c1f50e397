import './require-node.js';
import { loadCatalog } from './catalog/load-catalog.js';
import { parseEnv } from './config/env.js';
import { ConfigError, ConnbotError, errorMessage } from './errors.js';
import { createLogger } from './log.js';
import { startConnbot } from './app/start-connbot.js';
import { alertWebhooks } from './webhooks/alert-webhooks.js';

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv(process.env, { requireSlack: true });
  } catch (err) {
    process.stderr.write(`connbot: ${errorMessage(err)}\n`);
    process.exit(78);
  }
  const log = createLogger(env.LOG_LEVEL);
  let catalog;
  try {
    catalog = await loadCatalog(env.CATALOG_PATH);
  } catch (err) {
    process.stderr.write(`connbot: ${errorMessage(err)}\n`);
    process.exit(78);
  }
  const instance = await startConnbot({ env, catalog, log, webhooks: (rt) => alertWebhooks(rt) });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing running jobs');
    instance.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: errorMessage(err) }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const code = err instanceof ConnbotError ? ` [${err.code}]` : '';
  process.stderr.write(`connbot: failed to start${code}: ${errorMessage(err)}\n`);
  // 78 (EX_CONFIG) for what the operator must fix, as for env and catalog errors above.
  process.exit(err instanceof ConfigError ? 78 : 1);
});

import { parseArgs } from 'node:util';
import { errorMessage } from '../errors.js';
import { validateCatalogCommand } from './catalog-command.js';
import { checkCommand } from './check-command.js';
import { EXIT_USAGE, type CliIo } from './cli-io.js';
import { USAGE } from './usage.js';

export type { CliIo } from './cli-io.js';

/** The whole CLI as a function of its arguments, so tests run it in-process; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        runbook: { type: 'string' },
        json: { type: 'boolean', default: false },
        catalog: { type: 'string' },
        'no-colour': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return usageError(io, errorMessage(err));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'check': {
      // The slash command's grammar too: `check <service> <env> [runbook]`.
      const [service, env, positionalRunbook, ...extra] = rest;
      if (!service || !env || extra.length > 0) return usageError(io, 'check needs <service> <env> [runbook]');
      if (positionalRunbook && values.runbook && positionalRunbook !== values.runbook) {
        return usageError(io, `two runbooks given: "${positionalRunbook}" and --runbook "${values.runbook}"`);
      }
      const runbook = values.runbook ?? positionalRunbook;
      const colour =
        Boolean(io.stdout.isTTY) && !values['no-colour'] && !values['no-color'] && !io.env.NO_COLOR && !values.json;
      return checkCommand(
        {
          service,
          env,
          json: values.json,
          colour,
          ...(runbook !== undefined ? { runbook } : {}),
          ...(values.catalog !== undefined ? { catalog: values.catalog } : {}),
        },
        io,
      );
    }
    case 'catalog': {
      const [sub, path, ...extra] = rest;
      if (sub !== 'validate' || extra.length > 0) return usageError(io, 'usage: connbot catalog validate [path]');
      return validateCatalogCommand(path ?? values.catalog, io);
    }
    case undefined:
      return usageError(io, 'no command given');
    default:
      return usageError(io, `unknown command "${command}"`);
  }
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`connbot: ${message}\n\n${USAGE}`);
  return EXIT_USAGE;
}

import { loadCatalog } from '../catalog/load-catalog.js';
import { resolveTarget } from '../catalog/resolve-target.js';
import { runDiagnosis } from '../diagnosis/run-diagnosis.js';
import { statusExitCode } from '../domain/finding.js';
import { CatalogError, errorMessage, LookupError } from '../errors.js';
import { renderReportText, reportJson } from '../render/terminal/report-text.js';
import { catalogPath, EXIT_USAGE, type CliIo } from './cli-io.js';

export interface CheckArgs {
  service: string;
  env: string;
  runbook?: string;
  json: boolean;
  catalog?: string;
  colour: boolean;
}

/** Exit code 3: the report could not be produced at all, which is as good as "unknown". */
const EXIT_UNKNOWN = statusExitCode('unknown');

/** `connbot check`: the same path as the bot (catalog → target → diagnosis), printed for a terminal or as JSON. */
export async function checkCommand(args: CheckArgs, io: CliIo): Promise<number> {
  const source = catalogPath(args.catalog, io.env);
  let resolved;
  try {
    const catalog = await loadCatalog(source);
    resolved = resolveTarget(catalog, args.service, args.env, args.runbook);
  } catch (err) {
    if (err instanceof LookupError) {
      io.stderr.write(`${err.message}\n`);
      // The message already says "did you mean …?" when there is a close match.
      return EXIT_USAGE;
    }
    if (err instanceof CatalogError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT_UNKNOWN;
    }
    io.stderr.write(`cannot resolve ${args.service}/${args.env}: ${errorMessage(err)}\n`);
    return EXIT_UNKNOWN;
  }
  try {
    const report = await runDiagnosis(resolved, io.signal ? { signal: io.signal } : {});
    io.stdout.write(args.json ? reportJson(report) : renderReportText(report, { colour: args.colour }));
    return statusExitCode(report.status);
  } catch (err) {
    io.stderr.write(`diagnosis of ${args.service}/${args.env} failed: ${errorMessage(err)}\n`);
    return EXIT_UNKNOWN;
  }
}

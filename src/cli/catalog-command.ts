import { loadCatalog } from '../catalog/load-catalog.js';
import { CatalogError, errorMessage } from '../errors.js';
import { catalogPath, type CliIo } from './cli-io.js';

/** `connbot catalog validate [path]`: 0 when valid, 1 with one line per problem (each names its YAML path). */
export async function validateCatalogCommand(path: string | undefined, io: CliIo): Promise<number> {
  const source = catalogPath(path, io.env);
  try {
    const catalog = await loadCatalog(source);
    const services = Object.values(catalog.services);
    const envs = services.reduce((n, s) => n + Object.keys(s.envs).length, 0);
    io.stdout.write(`catalog OK: ${services.length} services, ${envs} envs (${source})\n`);
    return 0;
  } catch (err) {
    if (err instanceof CatalogError) {
      io.stderr.write(`catalog ${source} is invalid (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}):\n`);
      for (const problem of err.problems) io.stderr.write(`  ${problem}\n`);
      return 1;
    }
    io.stderr.write(`cannot validate ${source}: ${errorMessage(err)}\n`);
    return 1;
  }
}

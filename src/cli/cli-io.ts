/** Where the CLI writes; tests pass string sinks and call runCli in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: running checks stop waiting. */
  signal?: AbortSignal;
}

/** sysexits EX_USAGE: bad arguments or an unknown service/env, as opposed to a diagnosis result. */
export const EXIT_USAGE = 64;

export const DEFAULT_CATALOG_PATH = 'manifests/catalog.example.yaml';

export function catalogPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.CATALOG_PATH || DEFAULT_CATALOG_PATH);
}

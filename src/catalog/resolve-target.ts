import { LookupError } from '../errors.js';
import type { AnyRunbook } from '../runbooks/types.js';
import { RUNBOOKS } from '../runbooks/registry.js';
import type { Catalog, EnvTarget, ServiceEntry } from './schema.js';

export interface ResolvedTarget {
  service: string;
  env: string;
  serviceEntry: ServiceEntry;
  target: EnvTarget;
  runbook: AnyRunbook;
  params: Record<string, unknown>;
}

/** Find service, env and runbook; unknown names get the known ones and the closest match. */
export function resolveTarget(catalog: Catalog, service: string, env: string, runbookId?: string): ResolvedTarget {
  const services = Object.keys(catalog.services);
  const entry = catalog.services[service];
  if (!entry) {
    const closest = closestMatch(service, services);
    throw new LookupError(
      'UNKNOWN_SERVICE',
      `unknown service "${service}"${closest ? ` — did you mean "${closest}"?` : '.'} Known services: ${services.join(', ')}`,
      services,
      closest,
    );
  }
  const envs = Object.keys(entry.envs);
  const target = entry.envs[env];
  if (!target) {
    const closest = closestMatch(env, envs);
    throw new LookupError(
      'UNKNOWN_ENV',
      `service "${service}" has no env "${env}"${closest ? ` — did you mean "${closest}"?` : '.'} Known envs: ${envs.join(', ')}`,
      envs,
      closest,
    );
  }
  const id = runbookId ?? entry.runbooks[0]!;
  if (!entry.runbooks.includes(id)) {
    const closest = closestMatch(id, entry.runbooks);
    throw new LookupError(
      'UNKNOWN_RUNBOOK',
      `service "${service}" has no runbook "${id}"${closest ? ` — did you mean "${closest}"?` : '.'} Its runbooks: ${entry.runbooks.join(', ')}`,
      entry.runbooks,
      closest,
    );
  }
  const runbook = RUNBOOKS.get(id)!;
  const params = runbook.params.parse(pickParams(runbook, target.params ?? {})) as Record<string, unknown>;
  return { service, env, serviceEntry: entry, target, runbook, params };
}

function pickParams(runbook: AnyRunbook, params: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys((runbook.params as unknown as { shape?: object }).shape ?? {});
  return Object.fromEntries(Object.entries(params).filter(([k]) => keys.includes(k)));
}

/** Damerau-free Levenshtein: good enough for "golden-pth" → "golden-path". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const needle = input.toLowerCase();
  for (const c of candidates) {
    const d = c.startsWith(needle) || needle.startsWith(c) ? 0.5 : editDistance(needle, c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  // Beyond half the word, a "closest" match is noise.
  return best !== undefined && bestScore <= Math.max(2, Math.ceil(needle.length / 2)) ? best : undefined;
}

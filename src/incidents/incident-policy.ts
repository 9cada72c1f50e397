import type { Catalog } from '../catalog/schema.js';

export interface IncidentPolicy {
  staleAfterMs: number;
  rediagnoseAfterMs: number;
  stormThreshold: number;
}

/** Alertmanager repeats a firing alert every repeat_interval (4h by default): silence past 6h means stale. */
export function incidentPolicy(catalog: Catalog): IncidentPolicy {
  const a = catalog.defaults?.alerts ?? {};
  return {
    staleAfterMs: a.staleAfter ?? 6 * 3600_000,
    rediagnoseAfterMs: a.rediagnoseAfter ?? 15 * 60_000,
    stormThreshold: a.stormThreshold ?? 10,
  };
}

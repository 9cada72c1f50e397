import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { CatalogError, errorMessage } from '../errors.js';
import { RUNBOOKS } from '../runbooks/registry.js';
import { CatalogSchema, type Catalog } from './schema.js';

/** `services.golden-path.envs.prod.aws.ecs: required` — one line per problem, named by YAML path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(`${[...path, key].join('.')}: unknown key`);
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Report the branch that got furthest rather than "invalid input".
      const branches = issue.errors;
      const best = branches.reduce((a, b) => (a.length <= b.length ? a : b), branches[0] ?? []);
      if (best.length > 0) {
        out.push(...formatIssues(best, path));
        continue;
      }
    }
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    out.push(`${path.join('.') || '(root)'}: ${missing ? 'required' : issue.message}`);
  }
  return out;
}

/** Validate a parsed catalog document: shape, then what the shape cannot say (runbooks, params, targets, alerts). */
export function validateCatalog(doc: unknown, source = 'catalog'): Catalog {
  const parsed = CatalogSchema.safeParse(doc);
  if (!parsed.success) throw new CatalogError(source, formatIssues(parsed.error.issues));
  const catalog = parsed.data;
  const problems: string[] = [];
  for (const [name, svc] of Object.entries(catalog.services)) {
    const envNames = Object.keys(svc.envs);
    if (envNames.length === 0) problems.push(`services.${name}.envs: at least one env is required`);
    svc.runbooks.forEach((id, i) => {
      if (!RUNBOOKS.has(id))
        problems.push(`services.${name}.runbooks.${i}: unknown runbook "${id}" (known: ${[...RUNBOOKS.keys()].join(', ')})`);
    });
    for (const [envName, target] of Object.entries(svc.envs)) {
      const where = `services.${name}.envs.${envName}`;
      const paramOwners = svc.runbooks.map((id) => RUNBOOKS.get(id)).filter((r) => r !== undefined);
      for (const rb of paramOwners) {
        const missing = new Set<string>();
        for (const path of rb.requires) {
          // Name the outermost missing block once: `aws: required`, not `aws.ecs` and `aws.rds` as well.
          const parts = path.split('.');
          let node: unknown = target;
          for (const [i, part] of parts.entries()) {
            node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
            if (node === undefined) {
              missing.add(parts.slice(0, i + 1).join('.'));
              break;
            }
          }
        }
        for (const path of missing) problems.push(`${where}.${path}: required by runbook ${rb.id}`);
      }
      // A param must be known to at least one of the service's runbooks, and valid for each that knows it.
      for (const [key, value] of Object.entries(target.params ?? {})) {
        const owners = paramOwners.filter((rb) => paramKeys(rb.params).includes(key));
        if (owners.length === 0) {
          problems.push(`${where}.params.${key}: unknown key (runbooks ${svc.runbooks.join(', ')} have no such threshold)`);
          continue;
        }
        for (const rb of owners) {
          const one = paramShape(rb.params)?.[key]?.safeParse(value);
          if (one && !one.success) problems.push(...formatIssues(one.error.issues, [...where.split('.'), 'params', key]));
        }
      }
    }
    if (svc.alerts?.length && !catalog.defaults?.channel) {
      for (const [envName, target] of Object.entries(svc.envs)) {
        if (!target.channel) problems.push(`services.${name}.envs.${envName}.channel: required for alert threads (or set defaults.channel)`);
      }
    }
    svc.alerts?.forEach((rule, i) => {
      const where = `services.${name}.alerts.${i}`;
      if (rule.env && !svc.envs[rule.env]) problems.push(`${where}.env: no env "${rule.env}" in services.${name}.envs`);
      if (!rule.env && !rule.envFromLabel && envNames.length !== 1)
        problems.push(`${where}: set env or envFromLabel (the service has several envs)`);
      if (rule.runbook && !svc.runbooks.includes(rule.runbook))
        problems.push(`${where}.runbook: "${rule.runbook}" is not one of services.${name}.runbooks`);
    });
  }
  if (problems.length > 0) throw new CatalogError(source, problems);
  return catalog;
}

export function parseCatalogText(text: string, source = 'catalog'): Catalog {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new CatalogError(source, [`not valid YAML${where}: ${errorMessage(err).split('\n')[0]}`]);
  }
  return validateCatalog(doc, source);
}

export async function loadCatalog(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CatalogError(path, [`cannot read: ${errorMessage(err)}`]);
  }
  return parseCatalogText(text, path);
}

function paramShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return def;
}

function paramKeys(schema: z.ZodType): string[] {
  return Object.keys(paramShape(schema) ?? {});
}

/**
 * Aurora PostgreSQL's default `max_connections` is LEAST({DBInstanceClassMemory/9531392}, 5000). The class
 * memory below is the nominal memory of each class; RDS reserves some of it, so DBInstanceClassMemory — and the
 * real limit — is a little lower. A parameter group that sets max_connections overrides all this: say so in the
 * catalog (rds.maxConnections) and connbot uses that instead.
 */
const GIB = 1024 ** 3;
const BYTES_PER_CONNECTION = 9531392;
const POSTGRES_CAP = 5000;

// Memory-optimised families share one shape: 16 GiB at large, doubling with each size step.
const R_SIZES: Record<string, number> = {
  large: 16,
  xlarge: 32,
  '2xlarge': 64,
  '4xlarge': 128,
  '8xlarge': 256,
  '12xlarge': 384,
  '16xlarge': 512,
  '24xlarge': 768,
  '32xlarge': 1024,
  '48xlarge': 1536,
};

const X2G_SIZES: Record<string, number> = {
  large: 32,
  xlarge: 64,
  '2xlarge': 128,
  '4xlarge': 256,
  '8xlarge': 512,
  '12xlarge': 768,
  '16xlarge': 1024,
};

const BURSTABLE: Record<string, number> = {
  'db.t3.medium': 4,
  'db.t3.large': 8,
  'db.t4g.medium': 4,
  'db.t4g.large': 8,
};

const FAMILIES: Record<string, Record<string, number>> = {
  r5: R_SIZES,
  r6g: R_SIZES,
  r6i: R_SIZES,
  r7g: R_SIZES,
  r7i: R_SIZES,
  r8g: R_SIZES,
  x2g: X2G_SIZES,
};

/** Aurora Serverless v2: one ACU is about 2 GiB, and max_connections follows the maximum ACUs. */
const GIB_PER_ACU = 2;

export function instanceClassMemoryGiB(instanceClass: string, serverlessMaxAcu?: number): number | undefined {
  if (instanceClass === 'db.serverless') return serverlessMaxAcu ? serverlessMaxAcu * GIB_PER_ACU : undefined;
  const burst = BURSTABLE[instanceClass];
  if (burst) return burst;
  const m = instanceClass.match(/^db\.([a-z0-9]+)\.([0-9]*x?large)$/);
  if (!m) return undefined;
  return FAMILIES[m[1]!]?.[m[2]!];
}

export interface DerivedMaxConnections {
  maxConnections: number;
  memoryGiB: number;
  formula: string;
}

/** Undefined when the engine is not Aurora PostgreSQL or the class is not in the table. */
export function defaultMaxConnections(engine: string, instanceClass: string, serverlessMaxAcu?: number): DerivedMaxConnections | undefined {
  if (engine !== 'aurora-postgresql') return undefined;
  const memoryGiB = instanceClassMemoryGiB(instanceClass, serverlessMaxAcu);
  if (memoryGiB === undefined) return undefined;
  const byMemory = Math.floor((memoryGiB * GIB) / BYTES_PER_CONNECTION);
  return {
    maxConnections: Math.min(byMemory, POSTGRES_CAP),
    memoryGiB,
    formula: `LEAST(${memoryGiB} GiB / 9531392, 5000) = ${Math.min(byMemory, POSTGRES_CAP)}`,
  };
}

import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget, type ResolvedTarget } from '../../../src/catalog/resolve-target.js';
import type { GoldenPathState } from './fake-golden-path.js';
import { ACCOUNT, CLUSTER, DB_CLUSTER, LOG_GROUP, PARAM, REGION, SERVICE } from './golden-path-names.js';

/**
 * Small waits for tests that run in real time: the deployment watch polls every 10 ms and gives up after 0.3 s,
 * verification waits 0.2 s for a post-change datapoint (which, in real time, never comes that fast).
 */
export const FAST_PARAMS = {
  stableWaitSeconds: 0.3,
  stablePollSeconds: 0.01,
  postChangeWaitSeconds: 0.2,
  postChangePollSeconds: 0.01,
  logsQueryMaxWaitMs: 150,
  logsPollIntervalMs: 10,
};

/** The runbook's own timings, for tests that run on a simulated clock (see sim-clock.ts). */
export const REAL_TIMINGS = {
  stableWaitSeconds: 600,
  stablePollSeconds: 15,
  verifySettleSeconds: 90,
  postChangeWaitSeconds: 150,
  postChangePollSeconds: 15,
};

export function catalogDoc(opts: { maxConnections?: number | null; roleArn?: string | null; params?: Record<string, unknown> } = {}): unknown {
  const maxConnections = opts.maxConnections === undefined ? 1000 : opts.maxConnections;
  const roleArn = opts.roleArn === undefined ? `arn:aws:iam::${ACCOUNT}:role/connbot-diagnostics` : opts.roleArn;
  return {
    version: 1,
    services: {
      'golden-path': {
        description: 'Golden Path web app (ECS + Aurora PostgreSQL)',
        runbooks: ['db-connection-exhaustion'],
        envs: {
          prod: {
            channel: 'C0GOLDEN',
            aws: {
              region: REGION,
              ...(roleArn ? { roleArn } : {}),
              ecs: { cluster: CLUSTER, service: SERVICE, minTasks: 2, maxTasks: 20 },
              rds: { cluster: DB_CLUSTER, ...(maxConnections ? { maxConnections } : {}) },
              logs: { group: LOG_GROUP },
              ssm: { failureModeParameter: PARAM },
            },
            params: { ...FAST_PARAMS, ...opts.params },
          },
        },
      },
    },
  };
}

export function goldenPath(opts: Parameters<typeof catalogDoc>[0] = {}): ResolvedTarget {
  return resolveTarget(validateCatalog(catalogDoc(opts)), 'golden-path', 'prod');
}

const steady = (minutesAgo: number) => ({ minutesAgo, message: `(service ${SERVICE}) has reached a steady state.` });

/** What every scenario shares: a mostly idle reader with a few connections, ECS and CloudWatch at their usual pace. */
const BASE = {
  readerConnections: 9,
  readerCpu: (ago: number) => 4 + (((ago % 3) + 3) % 3),
  instanceClass: 'db.r6g.large',
  rollout: 'completes' as const,
  rolloutSeconds: 150,
  publishLagSeconds: 60,
};

/**
 * Cause 1: the failure-mode switch is on and the writer's connections climb 11 a minute on a steady 4 tasks.
 * RDS publishes a minute's datapoint a minute after it ends, so at the fake's start the newest datapoint is two
 * minutes old: 853.
 */
export function leakState(): GoldenPathState {
  return {
    ...BASE,
    failureMode: 'connection_leak',
    desired: 4,
    writerConnections: (ago) => 875 - 11 * ago,
    runningTasks: () => 4,
    writerCpu: (ago) => 35 + (((ago % 4) + 4) % 4),
    events: [steady(30), steady(90)],
    logs: {
      byType: [
        { errorType: 'connection_error', path: '/db', errors: 12 },
        { errorType: 'timeout', path: '/db', errors: 3 },
      ],
      lines: [
        { '@timestamp': '2025-11-24 17:58:12.301', requestId: '7f1c2a9e', path: '/db', status: '500', errorType: 'connection_error' },
        { '@timestamp': '2025-11-24 17:57:40.118', requestId: '51be09d4', path: '/db?password=hunter2', status: '500', errorType: 'connection_error' },
        { '@timestamp': '2025-11-24 17:57:02.904', requestId: '0c33e7b1', path: '/db', status: '504', errorType: 'timeout' },
      ],
    },
    connectionsPerFreshTask: 15,
  };
}

/** Cause 2: two scale-outs (6 → 12 → 18 tasks) and 46 connections per task, so connections follow tasks. */
export function overloadState(opts: { containerInsights: boolean } = { containerInsights: true }): GoldenPathState {
  const tasks = (ago: number) => (ago >= 40 ? 6 : ago >= 20 ? 12 : 18);
  return {
    ...BASE,
    failureMode: 'none',
    desired: 18,
    writerConnections: (ago) => tasks(ago) * 46 + ((((ago * 7) % 5) + 5) % 5) - 2,
    ...(opts.containerInsights ? { runningTasks: tasks } : {}),
    writerCpu: (ago) => 55 + (((ago % 5) + 5) % 5),
    events: [
      steady(18),
      { minutesAgo: 20, message: `(service ${SERVICE}) has started 6 tasks: (task 3f2a9c1b7d8e4f60a1b2c3d4e5f60718) (task 9a8b7c6d5e4f30211f2e3d4c5b6a7980) (task 11c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6) (task 2b3c4d5e6f708192a3b4c5d6e7f80912) (task 4d5e6f708192a3b4c5d6e7f809123456) (task 5e6f708192a3b4c5d6e7f80912345678).` },
      steady(38),
      { minutesAgo: 40, message: `(service ${SERVICE}) has started 6 tasks: (task 6f708192a3b4c5d6e7f8091234567890) (task 708192a3b4c5d6e7f809123456789012) (task 8192a3b4c5d6e7f80912345678901234) (task 92a3b4c5d6e7f8091234567890123456) (task a3b4c5d6e7f809123456789012345678) (task b4c5d6e7f80912345678901234567890).` },
      steady(75),
    ],
    logs: {
      byType: [{ errorType: 'connection_error', path: '/db', errors: 30 }],
      lines: [{ '@timestamp': '2025-11-24 17:58:30.002', requestId: 'aa01bb02', path: '/db', status: '500', errorType: 'connection_error' }],
    },
    rolloutSeconds: 120,
    connectionsPerFreshTask: 46,
  };
}

/** Nothing wrong: 4 tasks holding about 10 connections each, no errors, switch off. */
export function healthyState(): GoldenPathState {
  return {
    ...BASE,
    failureMode: 'none',
    desired: 4,
    writerConnections: (ago) => 41 + (((ago % 3) + 3) % 3),
    runningTasks: () => 4,
    writerCpu: () => 18,
    events: [steady(25)],
    logs: { byType: [], lines: [] },
    connectionsPerFreshTask: 10,
  };
}

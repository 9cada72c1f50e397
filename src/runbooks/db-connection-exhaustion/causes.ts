import type { Cause } from '../types.js';
import type { DbConnectionParams } from './params.js';
import { LEAK_MODE } from './checks/failure-mode.js';
import { connectionsElevated, measured, num } from './findings.js';
import { round } from './trend.js';

/** Cause 1: "Steadily increasing connection count, application not closing connections". */
export const failureModeLeak: Cause<DbConnectionParams> = {
  id: 'failure-mode-leak',
  title: 'Connection leak failure mode enabled',
  assess(findings) {
    const mode = measured(findings, 'failure-mode');
    const conns = measured(findings, 'db-connections');
    const tasks = measured(findings, 'tasks-vs-connections');
    const leakOn = mode?.value === LEAK_MODE;
    const climbing = conns?.climbing === true;
    const climbText = climbing
      ? `connections climb ${num(conns, 'slopePerMinute')}/min (R² ${num(conns, 'r2')}) to ${num(conns, 'current')}`
      : 'no steady climb in connections';
    const tasksSteady = tasks !== undefined && tasks.scaledOut !== true;
    if (leakOn) {
      return {
        confidence: climbing ? 0.95 : 0.7,
        explanation: `The failure-mode parameter is "${LEAK_MODE}" and ${climbText}${tasksSteady ? ' while the task count stays put' : ''}.`,
        supportedBy: ['failure-mode', ...(climbing ? ['db-connections'] : []), ...(tasksSteady ? ['tasks-vs-connections'] : [])],
      };
    }
    if (climbing && tasksSteady && tasks?.tracksTaskCount !== true) {
      return {
        confidence: 0.35,
        explanation: `${climbText} without more tasks: the shape of a leak, but the failure-mode parameter is "${String(mode?.value ?? 'unknown')}", so look for a leak in the application itself.`,
        supportedBy: ['db-connections', 'tasks-vs-connections'],
      };
    }
    return undefined;
  },
};

/** Cause 2: "Connection count proportional to task count, autoscaling recently triggered". */
export const taskCountOverload: Cause<DbConnectionParams> = {
  id: 'task-count-overload',
  title: 'High task count causing connection overload',
  assess(findings) {
    const tasks = measured(findings, 'tasks-vs-connections');
    if (!tasks) return undefined;
    const ecs = measured(findings, 'ecs-service');
    const tracks = tasks.tracksTaskCount === true;
    const scaleOuts = Array.isArray(ecs?.scaleOuts) ? ecs.scaleOuts.length : 0;
    const scaled = tasks.scaledOut === true || scaleOuts > 0;
    let confidence = tracks && scaled ? 0.85 : tracks ? 0.5 : scaled && connectionsElevated(findings) ? 0.3 : 0;
    if (confidence === 0) return undefined;
    // A leak also grows connections while tasks are added; when the switch is on, it explains more.
    if (measured(findings, 'failure-mode')?.value === LEAK_MODE) confidence *= 0.6;
    if (!connectionsElevated(findings)) confidence *= 0.5;
    const r = num(tasks, 'r');
    return {
      confidence: round(confidence, 2),
      explanation:
        `Tasks went ${num(tasks, 'tasksStart')}→${num(tasks, 'tasksEnd')}${scaleOuts > 0 ? ` (${scaleOuts} scale-out event(s))` : ''}; ` +
        `${r === undefined ? 'no correlation measurable' : `connections correlate with task count at r = ${r}`}, ` +
        `${num(tasks, 'perTask')} connections per task.`,
      supportedBy: ['tasks-vs-connections', ...(scaleOuts > 0 ? ['ecs-service'] : []), 'db-connections'],
    };
  },
};

/**
 * Cause 3: "Each request creates new database connection, connections not reused".
 *
 * The runbook's other sign, "high connection turnover", is not measured: DatabaseConnections counts connections
 * open at each sample, not how many were opened, and Aurora's ConnectionAttempts metric is documented for Aurora
 * MySQL, not the Aurora PostgreSQL this runbook targets. What the metrics do show is each task holding more connections
 * than a bounded pool would, while the number of tasks stays small: then the tasks, not their number, exhaust
 * the database.
 */
export const missingPooling: Cause<DbConnectionParams> = {
  id: 'missing-pooling',
  title: 'Missing connection pooling',
  assess(findings, p) {
    const tasks = measured(findings, 'tasks-vs-connections');
    const perTask = num(tasks, 'perTask');
    if (tasks === undefined || perTask === undefined || perTask <= p.connectionsPerTaskWarn) return undefined;
    const running = num(tasks, 'perTaskTasks') ?? num(tasks, 'running');
    // Few tasks: the count did not grow in the window, so it is not what pushed connections up.
    const fewTasks = tasks.scaledOut !== true;
    let confidence = fewTasks ? 0.6 : 0.4;
    if (!connectionsElevated(findings)) confidence *= 0.5;
    if (measured(findings, 'failure-mode')?.value === LEAK_MODE) confidence *= 0.5;
    return {
      confidence: round(confidence, 2),
      explanation:
        `${perTask} connections per task over ${running ?? '?'} task(s), more than a pool of 10 + 20 overflow holds (${p.connectionsPerTaskWarn})` +
        (fewTasks
          ? `, with the task count steady: each task opens too many connections`
          : `; tasks also grew ${num(tasks, 'tasksStart')}→${num(tasks, 'tasksEnd')}, which adds to it`) +
        '. Connection turnover is not measured (DatabaseConnections counts open connections, not new ones).',
      supportedBy: ['tasks-vs-connections'],
    };
  },
};

export const causes = [failureModeLeak, taskCountOverload, missingPooling];

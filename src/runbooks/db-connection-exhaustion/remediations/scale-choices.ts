/**
 * The task counts offered to the approver for "scale the service to N", and the one pre-selected. Every choice
 * lies within the catalog's ecs.minTasks..maxTasks and below today's count: in this runbook scaling is relief
 * for the database, never growth.
 */
export interface ScaleChoiceInput {
  current: number;
  min: number;
  max: number;
  /** Connections each task holds now, when measured. */
  perTask: number | undefined;
  maxConnections: number | undefined;
  warnPct: number;
  /** The task count before the recent scale-out, when there was one. */
  beforeScaleOut: number | undefined;
  maxChoices: number;
}

export interface ScaleChoices {
  desiredCount: number;
  choices: number[];
  /** Why the default is what it is, for the plan. */
  reason: string;
}

export function scaleChoices(input: ScaleChoiceInput): ScaleChoices | undefined {
  const { current, min } = input;
  const ceiling = Math.min(input.max, current - 1);
  if (ceiling < min) return undefined;
  const clamp = (n: number) => Math.max(min, Math.min(ceiling, Math.round(n)));
  const half = clamp(Math.ceil(current / 2));

  // The runbook: "adjust based on normal operations". Normal is the count before the recent scale-out; without
  // one, the most tasks that keep connections under the warning line at today's connections per task; without
  // that, half.
  const budget =
    input.perTask && input.perTask > 0 && input.maxConnections
      ? Math.floor((input.maxConnections * input.warnPct) / 100 / input.perTask)
      : undefined;
  const budgetText = (n: number) => {
    if (!input.perTask || !input.maxConnections) return '';
    const line = Math.floor((input.maxConnections * input.warnPct) / 100);
    const total = Math.round(n * input.perTask);
    return `: ${n} × ${input.perTask} = ${total} connections, ${total < line ? 'under' : 'still over'} ${line} (${input.warnPct}% of ${input.maxConnections})`;
  };
  let desiredCount: number;
  let reason: string;
  if (input.beforeScaleOut !== undefined && input.beforeScaleOut < current) {
    desiredCount = clamp(budget === undefined ? input.beforeScaleOut : Math.min(budget, input.beforeScaleOut));
    reason = `the ${input.beforeScaleOut} tasks it ran before the scale-out${budgetText(desiredCount)}`;
  } else if (budget !== undefined) {
    desiredCount = clamp(budget);
    reason = `the most tasks under the warning line at today's connections per task${budgetText(desiredCount)}`;
  } else {
    desiredCount = half;
    reason = `half of today's ${current} tasks`;
  }
  if (desiredCount === min && (budget ?? min) < min) reason += `; ecs.minTasks is ${min}`;

  // The values that matter first (the default always), then an even spread between min and just below today.
  const keys = [desiredCount, min, half, ...(input.beforeScaleOut !== undefined ? [clamp(input.beforeScaleOut)] : []), ceiling];
  const picks = new Set<number>(keys.slice(0, input.maxChoices));
  const span = ceiling - min;
  const steps = Math.min(span, input.maxChoices - 1);
  for (let i = 0; i <= steps && picks.size < input.maxChoices; i++) {
    picks.add(clamp(min + (span * i) / Math.max(1, steps)));
  }
  const choices = [...picks].sort((a, b) => a - b);
  return { desiredCount, choices, reason };
}

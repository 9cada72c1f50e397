import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process (tests build several apps in one process). */
export class ConnbotMetrics {
  readonly registry = new Registry();
  readonly diagnoses = new Counter({
    name: 'connbot_diagnoses_total',
    help: 'Diagnoses finished, by runbook and overall status',
    labelNames: ['runbook', 'status'] as const,
    registers: [this.registry],
  });
  readonly diagnosisSeconds = new Histogram({
    name: 'connbot_diagnosis_duration_seconds',
    help: 'Wall time of a diagnosis (all checks)',
    labelNames: ['runbook'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60],
    registers: [this.registry],
  });
  readonly remediations = new Counter({
    name: 'connbot_remediations_total',
    help: 'Remediation decisions and outcomes',
    labelNames: ['remediation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'connbot_webhook_requests_total',
    help: 'Inbound webhook requests by endpoint and answer',
    labelNames: ['endpoint', 'code'] as const,
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'connbot_alerts_total',
    help: 'Alerts received, by source and whether a runbook was mapped',
    labelNames: ['source', 'mapped'] as const,
    registers: [this.registry],
  });

  readonly alertsTruncated = new Counter({
    name: 'connbot_alerts_truncated_total',
    help: 'Alerts Alertmanager left out of a notification (truncatedAlerts, its max_alerts setting)',
    registers: [this.registry],
  });

  constructor(collectDefaults = true) {
    if (collectDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'connbot_' });
  }
}

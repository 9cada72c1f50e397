import { healthCheck as dropRateHealthCheck } from '../../connection-drop-rate/checks/health.js';
import { borrowDropRateCheck } from '../k8s-workload/borrowed-checks.js';
import type { ConnectionErrorsParams } from '../params.js';

export { HEALTH } from '../../connection-drop-rate/checks/health.js';

/** "Check service health": `curl http://localhost:15002/api/status`, judged as connection-drop-rate judges it. */
export const healthCheck = borrowDropRateCheck<ConnectionErrorsParams>(dropRateHealthCheck, (p) => ({ healthTimeoutMs: p.healthTimeoutMs }), {
  title: 'Health endpoint (/api/status)',
});

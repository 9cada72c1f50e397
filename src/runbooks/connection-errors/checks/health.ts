import { httpHealthCheck } from '../../shared/checks/http-health.js';
import type { ConnectionErrorsParams } from '../params.js';

export { HEALTH } from '../../shared/checks/http-health.js';

/** "Check service health": `curl http://localhost:15002/api/status`. */
export const healthCheck = httpHealthCheck<ConnectionErrorsParams>('Health endpoint (/api/status)');

import { serviceEndpointsCheck } from '../../shared/checks/service-endpoints.js';
import type { ConnectionErrorsParams } from '../params.js';
import { serviceName } from '../service-names.js';

export { SERVICE_ENDPOINTS, type ServiceEndpointsData } from '../../shared/checks/service-endpoints.js';

/** Cause 5, "Backend pool empty": `kubectl get endpoints vectorizer -n vectorizer`. */
export const serviceEndpoints = serviceEndpointsCheck<ConnectionErrorsParams>((ctx) => serviceName(ctx.target, ctx.service));

import { httpHealthCheck } from '../../shared/checks/http-health.js';
import { k8sPodsCheck } from '../../shared/checks/k8s-pods.js';
import type { WebSocketParams } from '../params.js';

export { HEALTH } from '../../shared/checks/http-health.js';
export { PODS } from '../../shared/checks/k8s-pods.js';

/** "Check WebSocket service": `curl -f http://websocket:8003/health`. */
export const healthCheck = httpHealthCheck<WebSocketParams>();

/** "kubectl get pods -l app=websocket -n vitalstream": ready, restarts, OOMKilled. */
export const podsCheck = k8sPodsCheck<WebSocketParams>();

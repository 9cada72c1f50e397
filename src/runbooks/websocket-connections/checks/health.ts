import { healthCheck as dropRateHealthCheck } from '../../connection-drop-rate/checks/health.js';
import { podsCheck as dropRatePodsCheck } from '../../connection-drop-rate/checks/pods.js';
import { borrowDropRateCheck } from '../../connection-errors/k8s-workload/borrowed-checks.js';
import type { WebSocketParams } from '../params.js';

export { HEALTH } from '../../connection-drop-rate/checks/health.js';
export { PODS } from '../../connection-drop-rate/checks/pods.js';

/** "Check WebSocket service": `curl -f http://websocket:8003/health`. */
export const healthCheck = borrowDropRateCheck<WebSocketParams>(dropRateHealthCheck, (p) => ({ healthTimeoutMs: p.healthTimeoutMs }));

/** "kubectl get pods -l app=websocket -n vitalstream": ready, restarts, OOMKilled. */
export const podsCheck = borrowDropRateCheck<WebSocketParams>(dropRatePodsCheck, (p) => ({ podRestartsWarn: p.podRestartsWarn }));

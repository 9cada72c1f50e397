import { podsCheck as dropRatePodsCheck } from '../../connection-drop-rate/checks/pods.js';
import { borrowDropRateCheck } from '../k8s-workload/borrowed-checks.js';
import type { ConnectionErrorsParams } from '../params.js';

export { PODS } from '../../connection-drop-rate/checks/pods.js';

/** "kubectl get pods -n vectorizer": running, ready, restarts, OOMKilled. */
export const podsCheck = borrowDropRateCheck<ConnectionErrorsParams>(dropRatePodsCheck, (p) => ({ podRestartsWarn: p.podRestartsWarn }));

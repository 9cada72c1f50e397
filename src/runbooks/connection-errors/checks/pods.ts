import { k8sPodsCheck } from '../../shared/checks/k8s-pods.js';
import type { ConnectionErrorsParams } from '../params.js';

export { PODS } from '../../shared/checks/k8s-pods.js';

/** "kubectl get pods -n vectorizer": running, ready, restarts, OOMKilled. */
export const podsCheck = k8sPodsCheck<ConnectionErrorsParams>();

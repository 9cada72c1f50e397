import { k8sEventsCheck } from '../../shared/checks/k8s-events.js';
import type { ConnectionErrorsParams } from '../params.js';

export { EVENTS, type EventsData } from '../../shared/checks/k8s-events.js';

/** `kubectl get events -n vectorizer --field-selector type=Warning`: crash loops, OOM kills, failing probes. */
export const eventsCheck = k8sEventsCheck<ConnectionErrorsParams>();

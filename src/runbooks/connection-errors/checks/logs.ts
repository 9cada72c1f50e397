import { podLogsCheck } from '../../shared/checks/logs.js';
import type { ConnectionErrorsParams } from '../params.js';

export { LOGS, type LogsData } from '../../shared/checks/logs.js';

/** "Check Logs": `kubectl logs vectorizer-0 -n vectorizer --tail=100 | grep -i error`. */
export const logsCheck = podLogsCheck<ConnectionErrorsParams>();

import { fileDescriptorsCheck } from '../../shared/checks/file-descriptors.js';
import { memoryCheck } from '../../shared/checks/memory.js';
import { cpuThrottlingCheck } from '../../shared/checks/cpu-throttling.js';
import type { ConnectionErrorsParams } from '../params.js';
import { execPrefix } from '../service-names.js';

export { FILE_DESCRIPTORS, type FileDescriptorsData } from '../../shared/checks/file-descriptors.js';
export { MEMORY, type MemoryData } from '../../shared/checks/memory.js';
export { CPU_THROTTLING, type CpuThrottlingData } from '../../shared/checks/cpu-throttling.js';

/**
 * Immediate action 2, "Check Resource Limits" (`ulimit -n`, `free -h`, `top`) and Cause 3, out of file
 * descriptors / out of memory / CPU throttling — from the Prometheus the catalog names, in the pods themselves
 * when the runbook's commands are repeated by hand.
 */
export const fileDescriptorsUsage = fileDescriptorsCheck<ConnectionErrorsParams>({
  title: 'File descriptors (ulimit -n)',
  runbookCli: (ctx) => {
    const exec = execPrefix(ctx.target);
    return exec ? `${exec}sh -c 'ulimit -n; ls /proc/1/fd | wc -l'` : `ls /proc/$(pgrep ${ctx.service})/fd | wc -l; ulimit -n`;
  },
});

export const memoryUsage = memoryCheck<ConnectionErrorsParams>('Memory against its limit (free -h)');

export const cpuThrottling = cpuThrottlingCheck<ConnectionErrorsParams>({
  title: 'CPU throttling at the limit',
  runbookCli: (ctx) => `${execPrefix(ctx.target)}sh -c 'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat'`,
});

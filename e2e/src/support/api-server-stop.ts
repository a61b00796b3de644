// Freezing the local control plane's kube-apiserver (SIGSTOP) the way a hung or partitioned API server
// looks to a client: connections are accepted by the kernel, nothing answers. It is always continued.
import { readState } from '../cluster/control-plane.js';
import { isRunning } from '../cluster/processes.js';

export function apiServerPid(): number {
  const state = readState(process.env.PORTCULLIS_E2E_CLUSTER_DIR ?? '');
  const proc = state?.processes.find((p) => p.name === 'kube-apiserver');
  if (!proc || !isRunning(proc.pid, 'kube-apiserver')) throw new Error('no running kube-apiserver recorded by the e2e control plane');
  return proc.pid;
}

/**
 * Runs `during` with the API server stopped. SIGCONT follows in `finally` and, should the test process
 * die first (jest timeout, crash, Ctrl-C), in an exit hook, so the shared control plane never stays frozen.
 */
export async function withApiServerStopped<T>(during: () => Promise<T>): Promise<T> {
  const pid = apiServerPid();
  const resume = (): void => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone already: nothing to resume
    }
  };
  process.once('exit', resume);
  try {
    process.kill(pid, 'SIGSTOP');
    return await during();
  } finally {
    resume();
    process.removeListener('exit', resume);
  }
}

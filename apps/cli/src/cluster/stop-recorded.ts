import type { ClusterFile } from './cluster-file.js';
import { isAlive, signalGroup, waitForExit } from './pids.js';

/**
 * Stops the processes a cluster.json records, for when its supervisor is gone (killed, crashed): SIGTERM to
 * each process group, SIGKILL to whatever is still there after the grace period. No orphan keeps a port.
 */
export async function stopRecordedProcesses(cluster: ClusterFile, graceMs = 15_000): Promise<void> {
  const pids = cluster.processes.map((p) => p.pid).filter((pid): pid is number => pid !== null && isAlive(pid));
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  for (const pid of pids) if (!(await waitForExit(pid, graceMs))) signalGroup(pid, 'SIGKILL');
  if (isAlive(cluster.supervisorPid)) process.kill(cluster.supervisorPid, 'SIGKILL');
}

import { parseCommandArgs, writeLine, type Command } from '../command.js';
import { readClusterFile, removeClusterFile } from '../cluster/cluster-file.js';
import { resolveVarDir, varPaths } from '../cluster/paths.js';
import { isAlive, waitForExit } from '../cluster/pids.js';
import { stopRecordedProcesses } from '../cluster/stop-recorded.js';

const SUPERVISOR_STOP_MS = 90_000;

export const downCommand: Command = {
  name: 'down',
  usage: `moat down [--var DIR]

Asks the moat up process recorded in <var>/cluster.json to stop the cluster (nodes first, then the CSM, NATS
and clamd). If that process is gone, stops the recorded processes directly.`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {});
    const path = varPaths(resolveVarDir(values.var, io.env, io.cwd)).clusterFile;
    const cluster = await readClusterFile(path);
    if (!cluster) {
      writeLine(io.out, `no cluster is running (no ${path})`);
      return 0;
    }
    let clean = false;
    if (isAlive(cluster.supervisorPid)) {
      process.kill(cluster.supervisorPid, 'SIGTERM');
      clean = await waitForExit(cluster.supervisorPid, SUPERVISOR_STOP_MS);
    }
    // The supervisor died or hung: stop what it started.
    if (!clean) await stopRecordedProcesses(cluster);
    await removeClusterFile(path);
    writeLine(io.out, clean ? 'moat stopped' : 'moat stopped (the moat up process was gone; stopped its processes directly)');
    return 0;
  },
};

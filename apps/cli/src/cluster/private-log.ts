import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes sure a log file exists with mode 0600 (also one an earlier version created more open) in a 0700 logs
 * directory, before anything appends to it: logs can hold what other users of the machine must not read.
 */
export function preparePrivateLog(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

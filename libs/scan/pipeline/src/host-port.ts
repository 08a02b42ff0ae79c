import { isIPv6 } from 'node:net';
import type { HostPort } from './types.js';

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/;

/**
 * Parses `HOST:PORT` (`[v6]:PORT` for IPv6), as in `--dns 127.0.0.1:53` or `MOAT_CLAMD`. Throws an Error
 * that names the bad value.
 */
export function parseHostPort(value: string): HostPort {
  const match = HOST_PORT.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || (match[1] !== undefined && !isIPv6(host)) || port < 1 || port > 65535) {
    throw new Error(`"${value}" is not HOST:PORT (e.g. 127.0.0.1:3310 or [::1]:53)`);
  }
  return { host, port };
}

import { readFileSync } from 'node:fs';

/** The node's software version, from its package.json (reported at enrolment and in heartbeats). */
export const SOFTWARE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

import { isIPv4 } from 'node:net';
import type { DnsResolver } from '@moat/auth';
import type { DnsListPolicy } from '@moat/policy';

export type ReturnCode = DnsListPolicy['codes'][number];

/** What one list said about one name. */
export type ListAnswer = { status: 'listed'; codes: ReturnCode[]; unknown: string[] } | { status: 'clean' } | { status: 'timeout'; reason: string };

const NOT_LISTED = new Set(['ENOTFOUND', 'ENODATA']);
const LOOPBACK_ANSWER = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The DNSBL query label of an address: reversed octets (IPv4) or reversed nibbles (IPv6, RFC 5782 2.4). */
export function reversedIp(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').reverse().join('.');
  const halves = ip.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const full = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return full
    .map((group) => group.padStart(4, '0'))
    .join('')
    .split('')
    .reverse()
    .join('.');
}

/**
 * Asks `list` about `label` (a reversed IP or a domain). Listed means an A record in 127.0.0.0/8 (RFC 5782
 * 2.3); answers outside it come from resolvers that rewrite NXDOMAIN and mean nothing. Answers no code
 * describes (e.g. Spamhaus' 127.255.255.x "query refused") are kept apart and never scored.
 */
export async function askList(resolver: DnsResolver, list: DnsListPolicy, label: string): Promise<ListAnswer> {
  let answers: string[];
  try {
    answers = await resolver.query(`${label}.${list.zone}`, 'A');
  } catch (error) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'ERROR';
    return NOT_LISTED.has(code) ? { status: 'clean' } : { status: 'timeout', reason: code };
  }
  const listed = answers.filter((answer) => LOOPBACK_ANSWER.test(answer));
  if (listed.length === 0) return { status: 'clean' };
  const codes = list.codes.filter((code) => listed.some((answer) => codeMatches(code, answer)));
  const unknown = listed.filter((answer) => !list.codes.some((code) => codeMatches(code, answer)));
  return { status: 'listed', codes, unknown };
}

function codeMatches(code: ReturnCode, answer: string): boolean {
  if (code.address !== undefined) return code.address === answer;
  const lastOctet = Number(answer.slice(answer.lastIndexOf('.') + 1));
  return code.bit !== undefined && (lastOctet & code.bit) !== 0;
}

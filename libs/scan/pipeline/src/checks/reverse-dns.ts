import { isIPv4 } from 'node:net';
import { reversedIp } from '../body/dns-lists.js';
import type { StageCheck } from '../check.js';
import { configuredResolver } from '../stage1/configured-resolver.js';
import { stageOneExempt } from '../stage1/exempt.js';
import { isGenericHostname } from '../stage1/generic-hostname.js';

const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA']);
/** PTR names checked forward; a client with more is odd enough already. */
const MAX_NAMES = 5;

/**
 * Reverse DNS of the client at connect: RDNS_NONE (no PTR), RDNS_NOT_CONFIRMED (no PTR name resolves back
 * to the address, i.e. not forward-confirmed), RDNS_GENERIC (an ISP-assigned looking name), RDNS_OK (the
 * confirmed name, score 0), RDNS_TEMPFAIL (DNS did not answer; score 0, never refused for it).
 * `rejectNone` refuses clients without PTR (554 5.7.25, RFC 7372).
 */
export const reverseDns: StageCheck<'connect'> = {
  name: 'reverse_dns',
  stage: 'connect',
  enabled: (policy) => policy.stage1.settings.reverseDns.enabled,
  async run(ctx) {
    const resolver = configuredResolver(ctx.options);
    if (!resolver || stageOneExempt(ctx)) return;
    const settings = ctx.policy.stage1.settings.reverseDns;
    const ip = ctx.envelope.clientIp;
    let names: string[];
    try {
      names = await resolver.query(`${reversedIp(ip)}.${isIPv4(ip) ? 'in-addr.arpa' : 'ip6.arpa'}`, 'PTR');
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!NO_SUCH_NAME.has(code)) {
        ctx.results.add('RDNS_TEMPFAIL', 0, `PTR ${ip}: ${code || String(error)}`);
        return;
      }
      ctx.results.add('RDNS_NONE', settings.noneScore, `${ip} has no PTR record`);
      if (settings.rejectNone) ctx.results.reject({ code: 554, message: '5.7.25 reverse DNS validation failed: the client address has no PTR record' });
      return;
    }
    const checked = names.slice(0, MAX_NAMES);
    const confirmed = (
      await Promise.all(
        checked.map(async (name) => {
          const addresses = await resolver.query(name, isIPv4(ip) ? 'A' : 'AAAA').catch(() => [] as string[]);
          return addresses.some((address) => sameAddress(address, ip)) ? name : undefined;
        }),
      )
    ).find((name) => name !== undefined);
    if (!confirmed) ctx.results.add('RDNS_NOT_CONFIRMED', settings.notConfirmedScore, `${ip} -> ${checked.join(', ')}, none resolves back`);
    else ctx.results.add('RDNS_OK', 0, `${ip} <-> ${confirmed}`);
    const generic = checked.find((name) => isGenericHostname(name, ip));
    if (generic) ctx.results.add('RDNS_GENERIC', settings.genericScore, `${generic} looks like a dynamic or ISP-assigned name`);
  },
};

/** IPv6 addresses compare in their full nibble form (2001:db8::1 is 2001:0db8:0:0:0:0:0:1). */
function sameAddress(a: string, b: string): boolean {
  if (isIPv4(a) || isIPv4(b)) return a === b;
  return reversedIp(a.toLowerCase()) === reversedIp(b.toLowerCase());
}

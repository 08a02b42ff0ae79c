import type { StageCheck } from '../check.js';
import { IP_BLOCKED_REPLY } from './ip-lists.js';

/**
 * The recipient's domain's IP/CIDR lists at RCPT; the domain's allow list also overrides a global block
 * (put off to here by ip-lists). A refusal applies to this recipient only.
 */
export const domainIpLists: StageCheck<'rcpt'> = {
  name: 'domain_ip_lists',
  stage: 'rcpt',
  enabled: (policy) => policy.hasIpLists,
  run(ctx) {
    const { rcpt, connection } = ctx;
    const domain = rcpt.domain;
    if (!domain || connection.ipAllowed) return;
    const ip = ctx.envelope.clientIp;
    if (domain.lists.ipAllow.has(ip)) {
      ctx.results.add('IP_ALLOWLIST', 0, `${ip} in the ${domain.name} ip-allow list`);
      rcpt.listAllowed = true;
    } else if (domain.lists.ipBlock.has(ip) || connection.ipBlockDeferred) {
      const list = connection.ipBlockDeferred ? 'global' : domain.name;
      ctx.results.add('IP_BLOCKLIST', 0, `${ip} in the ${list} ip-block list`);
      ctx.results.reject(IP_BLOCKED_REPLY);
    }
  },
};

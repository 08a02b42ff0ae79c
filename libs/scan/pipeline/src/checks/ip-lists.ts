import type { StageCheck } from '../check.js';
import type { SmtpReply } from '../types.js';

export const IP_BLOCKED_REPLY: SmtpReply = { code: 554, message: '5.7.1 client address blocked by policy' };

/**
 * Global IP/CIDR lists at connect. An allow entry wins over every block list, IP or sender, global or per
 * domain. A blocked client is refused at once, unless some domain allows it: then each recipient's domain
 * decides at RCPT (see domain-ip-lists).
 */
export const ipLists: StageCheck<'connect'> = {
  name: 'ip_lists',
  stage: 'connect',
  enabled: (policy) => policy.hasIpLists,
  run(ctx) {
    const ip = ctx.envelope.clientIp;
    const { lists, anyDomainAllow } = ctx.policy;
    if (lists.ipAllow.has(ip)) {
      ctx.results.add('IP_ALLOWLIST', 0, `${ip} in the global ip-allow list`);
      ctx.connection.ipAllowed = true;
    } else if (lists.ipBlock.has(ip)) {
      if (anyDomainAllow.ip.has(ip)) {
        ctx.connection.ipBlockDeferred = true;
        return;
      }
      ctx.results.add('IP_BLOCKLIST', 0, `${ip} in the global ip-block list`);
      ctx.results.reject(IP_BLOCKED_REPLY);
    }
  },
};

import { readAuthor } from '@moat/auth';
import type { StageCheck } from '../check.js';
import { senderIdentities } from '../outbound/identities.js';

/**
 * The From header of submitted mail must name the authenticated user or one of its aliases, read strictly as
 * for DMARC: one From field with one unambiguous address (`outbound.senderMatch.header`).
 */
export const fromHeaderMatch: StageCheck<'data'> = {
  name: 'from_header_match',
  stage: 'data',
  directions: ['outbound'],
  enabled: (policy) => policy.outbound.settings.senderMatch.header,
  run(ctx) {
    const identities = senderIdentities(ctx);
    if (!identities) return;
    const author = readAuthor(ctx.message.raw);
    const address = author.address?.toLowerCase();
    if (!author.ambiguous && address !== undefined && identities.has(address)) return;
    const user = ctx.envelope.authenticatedUser ?? '';
    const shown = address ?? author.findings.map((f) => f.detail).join('; ');
    ctx.results.add('FROM_MISMATCH', 0, `From ${shown} is not ${user} or one of its aliases`);
    ctx.results.reject({ code: 550, message: `5.7.1 From header address not owned by authenticated user ${user}` });
  },
};

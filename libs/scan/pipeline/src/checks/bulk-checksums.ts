import type { StageCheck } from '../check.js';
import { messageChecksums } from '../body/message-checksums.js';

/**
 * Bulk checksum network (DCC, Rspamd fuzzy): counts the message's fuzzy text checksums and attachment
 * hashes fleet-wide over the policy's window; the busiest text band decides BULK_LOW/MEDIUM/HIGH, the
 * busiest attachment BULK_ATTACHMENT, and a text band on the admins' deny list FUZZY_DENIED. A store that
 * fails or is slow gives BULK_UNAVAILABLE (score 0): bulk counting never holds mail up.
 */
export const bulkChecksums: StageCheck<'data'> = {
  name: 'bulk_checksums',
  stage: 'data',
  enabled: (policy) => policy.body.settings.bulk.enabled,
  async run(ctx) {
    const store = ctx.options.fuzzyStore;
    if (!store) return;
    const settings = ctx.policy.body.settings.bulk;
    const sums = messageChecksums(ctx.message, settings.minWords);
    const all = [...sums.text, ...sums.attachments];
    if (all.length === 0) return;

    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${settings.budgetMs} ms`)), settings.budgetMs);
    });
    let counts: number[];
    let denied: boolean[];
    try {
      [counts, denied] = await Promise.race([Promise.all([store.record(all, settings.windowSeconds), store.denied(all)]), budget]);
    } catch (error) {
      ctx.results.add('BULK_UNAVAILABLE', 0, error instanceof Error ? error.message : String(error));
      return;
    } finally {
      clearTimeout(timer);
    }

    const minutes = Math.round(settings.windowSeconds / 60);
    const textCount = Math.max(0, ...counts.slice(0, sums.text.length));
    const levels = [['BULK_HIGH', settings.high], ['BULK_MEDIUM', settings.medium], ['BULK_LOW', settings.low]] as const;
    const level = levels.find(([, threshold]) => textCount >= threshold.count);
    if (level) ctx.results.add(level[0], level[1].score, `text seen ${textCount} times in ${minutes} min fleet-wide`);

    const attachmentCount = Math.max(0, ...counts.slice(sums.text.length));
    if (attachmentCount >= settings.attachment.count) ctx.results.add('BULK_ATTACHMENT', settings.attachment.score, `attachment seen ${attachmentCount} times in ${minutes} min fleet-wide`);

    const deniedSums = all.filter((_sum, i) => denied[i]);
    if (deniedSums.length > 0) ctx.results.add('FUZZY_DENIED', settings.deniedScore, `matches reported spam (${deniedSums.length} checksum${deniedSums.length > 1 ? 's' : ''})`);
  },
};

import type { StageCheck } from '../check.js';
import { bodyView } from '../body/body-view.js';

// 정보통신망법 제50조 and its decree: advertising mail must begin its subject with "(광고)" exactly.
const MARKER = /^\(광고\)/u;
// Disguises filters miss: other brackets, spaces or symbols inside, or the marker moved out of first place.
const DISGUISED = /[([{<【〔〈《「]\s*광[^\p{L}\p{N}]*고\s*[)\]}>】〕〉》」]/u;
const HANGUL = /\p{Script=Hangul}/u;
// Advertising must also tell how to refuse it (수신거부); senders of bulk mail list an unsubscribe link.
const OPT_OUT = /수신\s*거부|수신을\s*원하지|수신\s*동의\s*철회|unsubscribe/iu;
const BULK = /^BULK_(?:LOW|MEDIUM|HIGH)$/;

/**
 * Korean advertising marker, when the policy requires it: KR_AD_MARKER when the subject starts with
 * "(광고)" (with the policy's optional action), KR_AD_MARKER_MALFORMED for a disguised marker, and
 * KR_AD_MARKER_MISSING for Korean mail that looks like advertising (bulk, List-Unsubscribe, opt-out
 * wording) and carries no marker. Runs after the bulk check, whose symbols it reads.
 */
export const koreanAdMarker: StageCheck<'data'> = {
  name: 'korean_ad_marker',
  stage: 'data',
  enabled: (policy) => policy.body.settings.koreanAd.mode === 'require',
  run(ctx) {
    const settings = ctx.policy.body.settings.koreanAd;
    const subject = ctx.message.headers.subject.normalize('NFKC').trim();
    if (MARKER.test(subject)) {
      ctx.results.add('KR_AD_MARKER', settings.presentScore, 'subject starts with (광고)');
      if (settings.presentAction === 'reject') ctx.results.reject({ code: 554, message: '5.7.1 advertising is not accepted' });
      else if (settings.presentAction) ctx.results.setAction(settings.presentAction);
      return;
    }
    const disguised = DISGUISED.exec(subject);
    if (disguised) {
      ctx.results.add('KR_AD_MARKER_MALFORMED', settings.malformedScore, `"${disguised[0]}" instead of (광고) at the start of the subject`);
      return;
    }
    const texts = [subject, ...bodyView(ctx.message).texts];
    if (!texts.some((t) => HANGUL.test(t))) return;
    const signs: string[] = [];
    const bulk = ctx.results.symbols.find((s) => BULK.test(s.name));
    if (bulk) signs.push(bulk.name);
    if (ctx.message.headerFields.some((f) => f.name === 'list-unsubscribe')) signs.push('List-Unsubscribe');
    if (texts.some((t) => OPT_OUT.test(t))) signs.push('opt-out wording');
    if (signs.length > 0) ctx.results.add('KR_AD_MARKER_MISSING', settings.missingScore, `Korean advertising without (광고): ${signs.join(', ')}`);
  },
};

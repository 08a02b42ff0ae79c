import type { StageCheck } from '../check.js';
import { bodyView } from '../body/body-view.js';
import { paymentChangeCues, urgencyCues } from '../body/wording.js';

/**
 * Business email compromise wording in English and Korean, in the subject and body:
 * PHISH_PAYMENT_CHANGE for any cue about new bank details or paying another account, PHISH_URGENCY when
 * two or more distinct pressure cues appear (one "urgent" is ordinary business mail).
 */
export const paymentWording: StageCheck<'data'> = {
  name: 'payment_wording',
  stage: 'data',
  content: true,
  run(ctx) {
    const { paymentChangeScore, urgencyScore } = ctx.policy.body.settings.phishing;
    const texts = [ctx.message.headers.subject, ...bodyView(ctx.message).texts];
    const payment = paymentChangeCues(texts);
    if (payment.length > 0) ctx.results.add('PHISH_PAYMENT_CHANGE', paymentChangeScore, payment.map((c) => `"${c}"`).join(', '));
    const urgency = urgencyCues(texts);
    if (urgency.length >= 2) ctx.results.add('PHISH_URGENCY', urgencyScore, urgency.map((c) => `"${c}"`).join(', '));
  },
};

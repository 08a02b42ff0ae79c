import { bodyView } from '../body/body-view.js';
import { credentialCues } from '../body/wording.js';
import { ruleCheck } from '../rules/rule.js';

/** PHISH_CREDENTIAL_REQUEST: the subject or text asks for a password, login or card details (English, Korean). */
export const credentialRequest = ruleCheck('credential_request', (ctx, add) => {
  const found = credentialCues([ctx.message.headers.subject, ...bodyView(ctx.message).texts]);
  if (found.length > 0) add('PHISH_CREDENTIAL_REQUEST', found.map((cue) => `"${cue}"`).join(', '));
});

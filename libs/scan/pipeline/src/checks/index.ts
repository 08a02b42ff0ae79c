import type { Check } from '../check.js';
import { attachmentNamePadding } from './attachment-name-padding.js';
import { bodyShape } from './body-shape.js';
import { brandImpersonation } from './brand-impersonation.js';
import { bulkMailer } from './bulk-mailer.js';
import { credentialRequest } from './credential-request.js';
import { dateAnomaly } from './date-anomaly.js';
import { encodingTricks } from './encoding-tricks.js';
import { fromAnomaly } from './from-anomaly.js';
import { hiddenText } from './hidden-text.js';
import { htmlAttachmentForm } from './html-attachment-form.js';
import { linkCategories } from './link-categories.js';
import { messageIdAnomaly } from './message-id-anomaly.js';
import { obfuscatedLinks } from './obfuscated-links.js';
import { qrCodeLinks } from './qr-code-links.js';
import { replyToFreemail } from './reply-to-freemail.js';
import { antivirus } from './antivirus.js';
import { approvalRules } from './approval-rules.js';
import { attachmentInspection } from './attachment-inspection.js';
import { attachmentPolicy } from './attachment-policy.js';
import { bulkChecksums } from './bulk-checksums.js';
import { classifier } from './classifier.js';
import { compromiseAccountState } from './compromise-account-state.js';
import { compromiseNewDomains } from './compromise-new-domains.js';
import { compromiseSpamScore } from './compromise-spam-score.js';
import { compromiseVolume } from './compromise-volume.js';
import { dlp } from './dlp.js';
import { dnsReputation } from './dns-reputation.js';
import { domainIpLists } from './domain-ip-lists.js';
import { domainSenderLists } from './domain-sender-lists.js';
import { executiveImpersonation } from './executive-impersonation.js';
import { fromHeaderMatch } from './from-header-match.js';
import { greylist } from './greylist.js';
import { headerDuplicates } from './header-duplicates.js';
import { ipLists } from './ip-lists.js';
import { koreanAdMarker } from './korean-ad-marker.js';
import { linkMismatch } from './link-mismatch.js';
import { lookalikeDomains } from './lookalike-domains.js';
import { mailBomb } from './mail-bomb.js';
import { mimeParse } from './mime-parse.js';
import { paymentWording } from './payment-wording.js';
import { recipientAccount } from './recipient-account.js';
import { recipientRateLimits } from './recipient-rate-limits.js';
import { recipientSyntax } from './recipient-syntax.js';
import { regexFilters } from './regex-filters.js';
import { relayControl } from './relay-control.js';
import { reverseDns } from './reverse-dns.js';
import { sandbox } from './sandbox.js';
import { senderAuth } from './sender-auth.js';
import { senderLists } from './sender-lists.js';
import { senderRateLimits } from './sender-rate-limits.js';
import { senderSyntax } from './sender-syntax.js';
import { submissionMessageQuotas } from './submission-message-quotas.js';
import { submissionRecipientQuotas } from './submission-recipient-quotas.js';
import { submissionSender } from './submission-sender.js';

/**
 * The default checks in run order within each stage. At RCPT: syntax, then relay control, then the
 * domain's lists, and the account check after them so that refused clients cannot probe for accounts;
 * greylisting and the fleet-wide counters last, so that recipients refused anyway are not counted.
 * The structural and phishing rules (policy `body.rules`) follow the configured body checks.
 * Outbound sessions run the checks marked for them: sender rules, quotas and the account's compromise state and
 * volume, then the same content checks, and last the compromise signs that read the recipients and the score.
 */
export function defaultChecks(): Check[] {
  return [ipLists, senderSyntax, submissionSender, submissionMessageQuotas, compromiseAccountState, compromiseVolume, senderLists, recipientSyntax, relayControl, submissionRecipientQuotas, domainIpLists, domainSenderLists, recipientAccount, greylist, recipientRateLimits, mailBomb, reverseDns, senderRateLimits, mimeParse, fromHeaderMatch, attachmentInspection, antivirus, attachmentPolicy, senderAuth, headerDuplicates, regexFilters, dnsReputation, bulkChecksums, classifier, linkMismatch, lookalikeDomains, executiveImpersonation, paymentWording, koreanAdMarker, dateAnomaly, messageIdAnomaly, fromAnomaly, replyToFreemail, bodyShape, hiddenText, obfuscatedLinks, linkCategories, encodingTricks, attachmentNamePadding, bulkMailer, credentialRequest, brandImpersonation, htmlAttachmentForm, qrCodeLinks, dlp, approvalRules, sandbox, compromiseNewDomains, compromiseSpamScore];
}

import { ruleCheck } from '../rules/rule.js';

const HOUR = 3_600_000;
// The date-time at the end of a Received field, after its last ";" (RFC 5321 section 4.4).
const RECEIVED_DATE = /;([^;]*)$/;
// RFC 5322 date-time (trimmed): optional day name, day month year time, zone, comment. Checked by hand: Date.parse accepts
// anything from "1" to free text and would hide a malformed header.
const DATE_TIME = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+(?:[+-]\d{4}|[A-Za-z]{1,5}))?(?:\s+\([^()]*\))?$/;

/**
 * DATE_MISSING, DATE_INVALID (not an RFC 5322 date-time), DATE_IN_FUTURE / DATE_IN_PAST: the Date lies more than
 * `futureHours` after, or `pastDays` before, the oldest Received date (the time the first relay took the
 * message, as SpamAssassin's DATE_IN_PAST rules read it: later hops may hold mail for days; the scan time when
 * no Received field has a date). Bulk spam tools stamp old or random dates.
 */
export const dateAnomaly = ruleCheck('date_anomaly', (ctx, add) => {
  const field = ctx.message.headerFields.find((f) => f.name === 'date');
  if (!field) return add('DATE_MISSING', 'no Date header');
  const value = field.value.trim().slice(0, 200);
  const date = DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(date)) return add('DATE_INVALID', `Date: ${JSON.stringify(value)}`);
  const { futureHours, pastDays } = ctx.policy.body.settings.rules;
  const reference = receivedTime(ctx.message.headerFields) ?? Date.now();
  const hours = (date - reference) / HOUR;
  if (hours > futureHours) add('DATE_IN_FUTURE', `Date is ${Math.round(hours)} h after it was received`);
  else if (-hours > pastDays * 24) add('DATE_IN_PAST', `Date is ${Math.round(-hours / 24)} days before it was received`);
});

/** The time in the oldest Received field (the last one) that has a readable one. */
function receivedTime(fields: readonly { name: string; value: string }[]): number | undefined {
  for (let i = fields.length - 1; i >= 0; i--) {
    const field = fields[i];
    if (field?.name !== 'received') continue;
    const text = RECEIVED_DATE.exec(field.value.slice(-200))?.[1]?.trim() ?? '';
    const time = DATE_TIME.test(text) ? Date.parse(text) : NaN;
    if (!Number.isNaN(time)) return time;
  }
  return undefined;
}

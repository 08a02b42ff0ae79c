import { createHash } from 'node:crypto';
import { scanWithEngines, type AntivirusEngine, type Finding } from '@moat/content';
import type { StageCheck } from '../check.js';
import { contentStateOf, recordFindings } from '../attachments/content-findings.js';
import type { SmtpReply } from '../types.js';

/** Detail of AV_SKIPPED: the policy asks for ClamAV but no clamd was given to scan with. */
export const AV_SKIPPED_DETAIL = 'ClamAV did not run: no clamd to scan with (moat scan --clamd HOST:PORT); the message was not checked for viruses';

const UNAVAILABLE_REPLY: SmtpReply = { code: 451, message: '4.7.1 antivirus unavailable, try again later' };

/**
 * Stage 4: every antivirus engine (the node's clamd, the policy's SHA-256 list) over the whole message and
 * every file the inspection took out of it. An engine that cannot answer in time temp-fails the message (or
 * holds it, by policy): never a pass.
 */
export const antivirus: StageCheck<'data'> = {
  name: 'antivirus',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  enabled: (policy) => policy.attachments.settings.antivirus.clamav || policy.attachments.hashDb !== undefined,
  async run(ctx) {
    const compiled = ctx.policy.attachments;
    const hostEngines = compiled.settings.antivirus.clamav ? (ctx.options.antivirus ?? []) : [];
    if (ctx.options.explainSkippedEngines && compiled.settings.antivirus.clamav && hostEngines.length === 0) ctx.results.add('AV_SKIPPED', 0, AV_SKIPPED_DETAIL);
    const engines: AntivirusEngine[] = [...hostEngines, ...(compiled.hashDb ? [compiled.hashDb] : [])];
    const state = contentStateOf(ctx.message);
    if (engines.length === 0 || !state) return;
    const raw = ctx.message.raw;
    const targets = [{ path: '', sha256: createHash('sha256').update(raw).digest('hex'), content: raw }, ...state.report.files];
    const { timeoutMs, fileTimeoutMs } = compiled.settings.antivirus;
    const findings = await withinTime(scanWithEngines(engines, targets, { timeoutMs: fileTimeoutMs }), timeoutMs);
    const unavailable = findings.filter((f) => f.symbol === 'AV_UNAVAILABLE');
    recordFindings(ctx, state, findings.filter((f) => f.symbol !== 'AV_UNAVAILABLE'));
    if (unavailable.length === 0) return;
    for (const f of unavailable) ctx.results.add('AV_UNAVAILABLE', 0, f.detail);
    if (compiled.settings.antivirus.unavailable === 'hold') ctx.results.setAction('hold');
    else ctx.results.tempfail(UNAVAILABLE_REPLY);
  },
};

/** The engines' findings, or AV_UNAVAILABLE when they take longer than the policy allows for one message. */
async function withinTime(scan: Promise<Finding[]>, timeoutMs: number): Promise<Finding[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Finding[]>((resolve) => {
    timer = setTimeout(() => resolve([{ symbol: 'AV_UNAVAILABLE', detail: `antivirus did not finish within ${timeoutMs} ms`, path: '' }]), timeoutMs);
  });
  try {
    return await Promise.race([scan, late]);
  } finally {
    clearTimeout(timer);
  }
}

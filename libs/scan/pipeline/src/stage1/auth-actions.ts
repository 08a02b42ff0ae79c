import type { AuthResults } from '@moat/auth';
import type { AuthActionName, AuthActions } from '@moat/policy';
import type { CompiledAuthOverride, CompiledStageOne } from './compile-stage1.js';
import { countryOf } from './geoip.js';

export type OutcomeKey = keyof AuthActions;
export type ConcreteAction = Exclude<AuthActionName, 'policy'>;

const SEVERITY: Record<ConcreteAction, number> = { pass: 0, tag: 1, quarantine: 2, defer: 3, block: 4 };
const capital = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** The outcomes of one message that the policy has an action for (spfFail, dkimNone, dmarcFail, ...). */
export function outcomesOf(results: AuthResults): OutcomeKey[] {
  const keys: string[] = [];
  if (results.spf.result !== 'pass' && results.spf.result !== 'neutral') keys.push(`spf${capital(results.spf.result)}`);
  if (results.dkim.result === 'none' || results.dkim.result === 'fail' || results.dkim.result === 'temperror' || results.dkim.result === 'permerror') keys.push(`dkim${capital(results.dkim.result)}`);
  if (results.dmarc.result !== 'pass') keys.push(`dmarc${capital(results.dmarc.result)}`);
  if (results.arc.result === 'fail') keys.push('arcFail');
  return keys as OutcomeKey[];
}

export interface ActionContext {
  stage1: CompiledStageOne;
  /** Tenant domains of the accepted recipients. */
  recipientDomains: readonly string[];
  /** The author domain and the envelope sender's domain, for sender-domain overrides. */
  senderDomains: readonly string[];
  clientIp: string;
}

export interface ChosenAction {
  outcome: OutcomeKey;
  action: ConcreteAction;
  /** Where the action came from: tenant, a recipient domain, a sender-domain or a country override. */
  source: string;
}

/**
 * The action for each outcome: the tenant's, replaced by the recipient domains' (the most severe when
 * recipients span several), then by a sender-domain and a country override, the one `precedence` names
 * applied last so that it wins. DMARC fail's `policy` follows the author domain's published p=.
 */
export function chooseActions(outcomes: readonly OutcomeKey[], ctx: ActionContext, dmarcPolicy: string | undefined): ChosenAction[] {
  const settings = ctx.stage1.settings.auth;
  const senderOverride = ctx.stage1.senderOverrides.find((o) => ctx.senderDomains.some((domain) => o.senders?.has(`postmaster@${domain}`)));
  const country = ctx.stage1.countryOverrides.length > 0 ? countryOf(ctx.clientIp) : undefined;
  const countryOverride = country ? ctx.stage1.countryOverrides.find((o) => o.countries?.has(country)) : undefined;
  const layers: [string, CompiledAuthOverride | undefined][] =
    settings.precedence === 'domain' ? [[`country ${country}`, countryOverride], ['sender domain', senderOverride]] : [['sender domain', senderOverride], [`country ${country}`, countryOverride]];

  return outcomes.map((outcome) => {
    const tenant = { action: settings.actions[outcome], source: 'tenant' };
    // Each recipient gets its own domain's action; one message for several domains takes the most severe.
    let chosen: { action: AuthActionName; source: string } = tenant;
    ctx.recipientDomains.forEach((domain, i) => {
      const action = ctx.stage1.domains.get(domain)?.authActions?.[outcome];
      const candidate = action ? { action, source: `domain ${domain}` } : tenant;
      if (i === 0 || SEVERITY[concrete(candidate.action, dmarcPolicy)] > SEVERITY[concrete(chosen.action, dmarcPolicy)]) chosen = candidate;
    });
    for (const [source, override] of layers) {
      const action = override?.actions[outcome];
      if (action) chosen = { action, source };
    }
    return { outcome, action: concrete(chosen.action, dmarcPolicy), source: chosen.source };
  });
}

/** The most severe of the chosen actions (pass when there are none). */
export function mostSevere(chosen: readonly ChosenAction[]): ChosenAction | undefined {
  return chosen.reduce<ChosenAction | undefined>((worst, c) => (!worst || SEVERITY[c.action] > SEVERITY[worst.action] ? c : worst), undefined);
}

function concrete(action: AuthActionName, dmarcPolicy: string | undefined): ConcreteAction {
  if (action !== 'policy') return action;
  return dmarcPolicy === 'reject' ? 'block' : dmarcPolicy === 'quarantine' ? 'quarantine' : 'pass';
}

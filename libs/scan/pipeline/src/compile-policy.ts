import { IpSet, type OutboundAccount, type Policy, type PolicyDomain, type PolicyLists } from '@moat/policy';
import { compileAttachments, type CompiledAttachments } from './attachments/compile-attachments.js';
import { compileBody, type CompiledBody } from './body/compile-body.js';
import { compileForwarding, type CompiledForwarding } from './forwarding/compile-forwarding.js';
import { SenderSet } from './sender-set.js';
import { compileStageOne, type CompiledStageOne } from './stage1/compile-stage1.js';

/** One block/allow list group in the form the checks query. */
export interface CompiledLists {
  ipAllow: IpSet;
  ipBlock: IpSet;
  senderAllow: SenderSet;
  senderBlock: SenderSet;
}

export interface CompiledDomain {
  name: string;
  policy: PolicyDomain;
  /** Registered local parts; empty means every local part is accepted. */
  accounts: ReadonlySet<string>;
  lists: CompiledLists;
}

/** A policy version prepared once for the hot path: every lookup a check makes is a set or map lookup. */
export interface CompiledPolicy {
  version: number;
  policy: Policy;
  thresholds: Policy['thresholds'];
  /** The tenant's domains by lower-case ASCII name. */
  domains: ReadonlyMap<string, CompiledDomain>;
  /** The global lists. */
  lists: CompiledLists;
  /**
   * Every domain's allow lists together: a global block is put off until RCPT when some domain allows the
   * client or sender, because a domain's allow list wins for that domain's recipients.
   */
  anyDomainAllow: { ip: IpSet; sender: SenderSet };
  /** Whether any IP / sender list (global or per domain) has entries: list checks turn off when none does. */
  hasIpLists: boolean;
  hasSenderLists: boolean;
  /** Whether any domain lists its accounts. */
  hasAccounts: boolean;
  /** Stage 3 (body) settings: DNS lists, bulk, regex filters, phishing, Korean ad marker. */
  body: CompiledBody;
  /** Stages 2 and 4 (attachments, antivirus): dispositions, blocked extensions, archive limits, the SHA-256 list. */
  attachments: CompiledAttachments;
  /** Stage 1 (SMTP checks) settings: greylisting, rate control, mail bombs, sender authentication, reverse DNS. */
  stage1: CompiledStageOne;
  outbound: CompiledOutbound;
  /** Forwarding rules (F9), applied by the node after the verdict. */
  forwarding: CompiledForwarding;
}

/** The outbound section prepared for submission: accounts by address, the networks that relay without AUTH. */
export interface CompiledOutbound {
  settings: Policy['outbound'];
  accounts: ReadonlyMap<string, OutboundAccount>;
  trustedNetworks: IpSet;
  thresholds: Policy['thresholds'];
}

export function compilePolicy(policy: Policy, version: number): CompiledPolicy {
  const domains = new Map<string, CompiledDomain>();
  for (const domain of policy.domains) {
    domains.set(domain.name, { name: domain.name, policy: domain, accounts: new Set(domain.accounts), lists: compileLists(domain.lists) });
  }
  const allLists = [policy.lists, ...policy.domains.map((d) => d.lists)];
  return {
    version,
    policy,
    thresholds: policy.thresholds,
    domains,
    lists: compileLists(policy.lists),
    anyDomainAllow: {
      ip: new IpSet(policy.domains.flatMap((d) => d.lists.ipAllow)),
      sender: new SenderSet(policy.domains.flatMap((d) => d.lists.senderAllow)),
    },
    hasIpLists: allLists.some((l) => l.ipAllow.length > 0 || l.ipBlock.length > 0),
    hasSenderLists: allLists.some((l) => l.senderAllow.length > 0 || l.senderBlock.length > 0),
    hasAccounts: policy.domains.some((d) => d.accounts.length > 0),
    body: compileBody(policy),
    attachments: compileAttachments(policy, version),
    stage1: compileStageOne(policy),
    outbound: {
      settings: policy.outbound,
      accounts: new Map(policy.outbound.accounts.map((a) => [a.address, a])),
      trustedNetworks: new IpSet(policy.outbound.trustedNetworks),
      thresholds: policy.outbound.thresholds ?? policy.thresholds,
    },
    forwarding: compileForwarding(policy.forwarding, policy.groups),
  };
}

function compileLists(lists: PolicyLists): CompiledLists {
  return {
    ipAllow: new IpSet(lists.ipAllow),
    ipBlock: new IpSet(lists.ipBlock),
    senderAllow: new SenderSet(lists.senderAllow),
    senderBlock: new SenderSet(lists.senderBlock),
  };
}

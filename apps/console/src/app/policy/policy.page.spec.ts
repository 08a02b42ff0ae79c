import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Me, Permission, PolicyJson } from '../api/api.types';
import { IdentityService } from '../auth/identity.service';
import { fill, find } from '../testing/dom';
import { diffCells as cells } from './testing';
import { PolicyPage } from './policy.page';

const RUNNING: PolicyJson = {
  thresholds: { tag: 5, quarantine: 10, reject: 15 },
  domains: [{ name: 'example.test', downstream: { host: 'mail.example.test', port: 25, tls: 'opportunistic' } }],
  lists: { ipBlock: [], ipAllow: [], senderBlock: [], senderAllow: [] },
  classifier: { enabled: true, spamScore: 6, hamScore: 3 },
  smtpChecks: { rateLimits: [] },
  dns: { servers: [] },
  body: {
    dnsbl: {
      ipLists: [
        { name: 'SPAMHAUS_ZEN', zone: 'zen.spamhaus.org', enabled: false, weight: 1, codes: [{ name: 'SBL', address: '127.0.0.2', score: 4 }] },
        { name: 'SPAMCOP', zone: 'bl.spamcop.net', enabled: false, weight: 1, codes: [{ name: 'LISTED', address: '127.0.0.2', score: 2 }] },
      ],
      urlLists: [{ name: 'SURBL', zone: 'multi.surbl.org', enabled: false, weight: 1, codes: [{ name: 'PH', bit: 8, score: 5 }] }],
      senderLists: [],
    },
  },
};
const DEFAULTS: PolicyJson = { thresholds: { tag: 5, quarantine: 10, reject: 15 }, classifier: { enabled: true, spamScore: 6, hamScore: 3 } };

const me = (role: Me['role'], permissions: Permission[]): Me => ({ username: role, role, tenant: 'default', mustChangePassword: false, totpEnabled: false, createdAtMs: 0, updatedAtMs: 0, permissions });
const ADMIN = me('tenant-admin', ['policy:read', 'policy:write']);

async function open(account: Me) {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  const backend = TestBed.inject(HttpTestingController);
  TestBed.inject(IdentityService).load().subscribe();
  backend.expectOne('/api/auth/me').flush(account);
  const fixture = TestBed.createComponent(PolicyPage);
  fixture.detectChanges();
  backend.expectOne('/api/policy').flush({ version: 3, policy: RUNNING });
  backend.expectOne('/api/policy/defaults').flush({ policy: DEFAULTS });
  await fixture.whenStable();
  const page = fixture.nativeElement as HTMLElement;
  /** The check the editor sends after an edit (debounced), once it is sent. */
  const nextCheck = () => vi.waitFor(() => backend.expectOne('/api/policy/check'), { timeout: 3000 });
  const answer = async (request: TestRequest, body: object, status = 200) => {
    request.flush(body, status === 200 ? {} : { status, statusText: 'Bad Request' });
    await fixture.whenStable();
  };
  const text = (selector: string) => [...page.querySelectorAll(selector)].map((e) => e.textContent?.trim().replace(/\s+/g, ' '));
  return { fixture, backend, page, nextCheck, answer, text };
}

describe('PolicyPage', () => {
  it('edits a threshold, shows the difference from the running version and publishes it with a comment', async () => {
    const { fixture, backend, page, nextCheck, answer, text } = await open(ADMIN);
    expect(find(page, '[data-testid="running-version"]').textContent).toBe('3');
    expect(text('[data-testid="field-thresholds.tag"] [data-testid="field-default"]')).toEqual(['Default: 5']);
    fill(page, '#pf-thresholds-tag', '4');
    const check = await nextCheck();
    expect((check.request.body as { policy: PolicyJson }).policy['thresholds']).toEqual({ tag: 4, quarantine: 10, reject: 15 });
    await answer(check, { version: 3, changes: [{ path: 'thresholds.tag', op: 'change', from: 5, to: 4 }], warnings: [] });
    expect(page.querySelector('[data-testid="policy-stale"]')).toBeNull();
    expect(text('[data-testid="field-thresholds.tag"] [data-testid="field-changed"]')).toEqual(['changed']);
    expect(text('[data-testid="draft-state"]')).toEqual(['1 change against the running version.']);

    find<HTMLButtonElement>(page, '[data-testid="policy-review"]').click();
    await fixture.whenStable();
    expect(cells(page)).toEqual([['thresholds.tag', 'changed', '5', '4']]);
    expect(page.querySelector('[data-testid="policy-warnings"]')).toBeNull();
    fill(page, '[data-testid="policy-comment"]', 'tag earlier');
    find<HTMLButtonElement>(page, '[data-testid="policy-publish"]').click();
    const put = backend.expectOne((r) => r.method === 'PUT' && r.url === '/api/policy');
    expect(put.request.body).toMatchObject({ comment: 'tag earlier', policy: { thresholds: { tag: 4 } } });
    expect((put.request.body as { confirm?: boolean }).confirm).toBeUndefined();
    await answer(put, { version: 4, policy: { ...RUNNING, thresholds: { tag: 4, quarantine: 10, reject: 15 } } });
    expect(text('[data-testid="policy-published"]')[0]).toMatch(/^Published version 4\./);
    expect(find(page, '[data-testid="running-version"]').textContent).toBe('4');
    expect(text('[data-testid="draft-state"]')).toEqual(['No changes.']);
    expect(page.querySelector('[data-testid="policy-review-panel"]')).toBeNull();
    fixture.destroy();
  });

  it('publishes a change that stops mail only after the explicit confirmation', async () => {
    const { fixture, backend, page, nextCheck, answer, text } = await open(ADMIN);
    fill(page, '#pf-thresholds-reject', '5');
    await answer(await nextCheck(), {
      version: 4,
      changes: [{ path: 'thresholds.reject', op: 'change', from: 15, to: 5 }],
      warnings: ['reject threshold 5 is not above the tag threshold 5: every message that would be tagged is rejected'],
    });
    find<HTMLButtonElement>(page, '[data-testid="policy-review"]').click();
    await fixture.whenStable();
    // Someone published version 4 since the page read version 3: the review says so.
    expect(text('[data-testid="policy-stale"]')[0]).toMatch(/^Version 4 was published after this page read version 3/);
    expect(text('[data-testid="policy-warning"]')).toEqual(['reject threshold 5 is not above the tag threshold 5: every message that would be tagged is rejected']);
    expect(find<HTMLButtonElement>(page, '[data-testid="policy-publish"]').disabled).toBe(true);
    const confirm = find<HTMLInputElement>(page, '[data-testid="policy-confirm"]');
    confirm.checked = true;
    confirm.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    find<HTMLButtonElement>(page, '[data-testid="policy-publish"]').click();
    const put = backend.expectOne((r) => r.method === 'PUT');
    expect(put.request.body).toMatchObject({ confirm: true });
    await answer(put, { version: 4, policy: RUNNING });
    fixture.destroy();
  });

  it('shows an invalid value beside its field and on its line of the JSON, and cannot publish it', async () => {
    const { fixture, backend, page, nextCheck, answer, text } = await open(ADMIN);
    find<HTMLButtonElement>(page, '[data-testid="tab-lists"]').click();
    await fixture.whenStable();
    fill(page, '#pf-lists-ipBlock', '192.0.2.1\nnot-an-address\n');
    const check = await nextCheck();
    expect((check.request.body as { policy: { lists: { ipBlock: string[] } } }).policy.lists.ipBlock).toEqual(['192.0.2.1', 'not-an-address']);
    await answer(check, { error: 'invalid policy', problems: ['lists.ipBlock.1: must be an IPv4/IPv6 address or CIDR block'] }, 400);
    expect(text('[data-testid="field-lists.ipBlock"] [data-testid="field-problem"]')).toEqual(['entry 2: must be an IPv4/IPv6 address or CIDR block']);
    expect(text('[data-testid="tab-lists"] .count')).toEqual(['1']);
    expect(find<HTMLButtonElement>(page, '[data-testid="policy-review"]').disabled).toBe(true);

    find<HTMLButtonElement>(page, '[data-testid="tab-raw"]').click();
    await fixture.whenStable();
    const json = find<HTMLTextAreaElement>(page, '[data-testid="policy-json"]').value;
    const line = json.split('\n').findIndex((l) => l.includes('"not-an-address"')) + 1;
    expect(line).toBeGreaterThan(1);
    expect([...page.querySelectorAll('[data-testid="json-problem"]')].map((p) => p.getAttribute('data-line'))).toEqual([String(line)]);
    expect(text('[data-testid="json-problem"]')).toEqual([`Line ${line} lists.ipBlock.1: must be an IPv4/IPv6 address or CIDR block`]);

    // Not JSON at all: the line is named and nothing is sent to be checked.
    fill(page, '[data-testid="policy-json"]', '{\n  "thresholds": { "tag": 4 }\n  "lists": {}\n}');
    await fixture.whenStable();
    expect(text('[data-testid="json-problem"]')).toEqual(['Line 3 not JSON: expected "," or "}" after a field (a missing comma?)']);
    expect(text('[data-testid="draft-state"]')).toEqual(['The JSON is not valid: fix it before publishing.']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    backend.expectNone('/api/policy/check');
    fixture.destroy();
  });

  it('ignores the answer about a draft that was discarded meanwhile', async () => {
    const { fixture, page, nextCheck, answer, text } = await open(ADMIN);
    expect(find<HTMLButtonElement>(page, '[data-testid="policy-discard"]').disabled).toBe(true);
    find<HTMLButtonElement>(page, '[data-testid="tab-classifier"]').click();
    await fixture.whenStable();
    fill(page, '#pf-classifier-spamScore', '-1');
    await fixture.whenStable();
    expect(find<HTMLButtonElement>(page, '[data-testid="policy-discard"]').disabled).toBe(false);
    const check = await nextCheck();
    find<HTMLButtonElement>(page, '[data-testid="policy-discard"]').click();
    await answer(check, { error: 'invalid policy', problems: ['classifier.spamScore: Too small: expected number to be >=0'] }, 400);
    expect(text('[data-testid="draft-state"]')).toEqual(['No changes.']);
    expect(page.querySelector('[data-testid="field-problem"]')).toBeNull();
    fixture.destroy();
  });

  it('adds a rate rule as a row and removes it again', async () => {
    const { fixture, page, nextCheck, answer } = await open(ADMIN);
    find<HTMLButtonElement>(page, '[data-testid="tab-rates"]').click();
    await fixture.whenStable();
    find<HTMLButtonElement>(page, '[data-testid="rule-add"]').click();
    await fixture.whenStable();
    expect(page.querySelectorAll('[data-testid="rule-row"]')).toHaveLength(1);
    expect(find<HTMLInputElement>(page, '#pf-smtpChecks-rateLimits-0-name').value).toBe('RULE_1');
    const check = await nextCheck();
    expect((check.request.body as { policy: { smtpChecks: { rateLimits: unknown[] } } }).policy.smtpChecks.rateLimits).toEqual([{ name: 'RULE_1', key: 'clientIp', limit: 100, windowSeconds: 3600, action: 'tempfail' }]);
    await answer(check, { error: 'invalid policy', problems: ['smtpChecks.rateLimits.0.limit: Too small: expected number to be >=1'] }, 400);
    expect(find(page, '[data-testid="field-smtpChecks.rateLimits.0.limit"] [data-testid="field-problem"]').textContent?.trim()).toBe('Too small: expected number to be >=1');
    find<HTMLButtonElement>(page, '[data-testid="rule-remove"]').click();
    await fixture.whenStable();
    expect(page.querySelectorAll('[data-testid="rule-row"]')).toHaveLength(0);
    fixture.destroy();
  });

  it('adds a domain with its downstream in the form, names the missing fields, and asks to confirm removing one', async () => {
    const { fixture, backend, page, nextCheck, answer, text } = await open(ADMIN);
    find<HTMLButtonElement>(page, '[data-testid="tab-domains"]').click();
    await fixture.whenStable();
    expect(find<HTMLInputElement>(page, '#pf-domains-0-name').value).toBe('example.test');
    expect(find<HTMLInputElement>(page, '#pf-domains-0-downstream-host').value).toBe('mail.example.test');
    expect(find<HTMLInputElement>(page, '#pf-domains-0-downstream-port').value).toBe('25');
    expect(find<HTMLSelectElement>(page, '#pf-domains-0-downstream-tls').value).toBe('opportunistic');
    expect(text('[data-testid="rule-add"]')).toEqual(['Add a domain']);

    find<HTMLButtonElement>(page, '[data-testid="rule-add"]').click();
    await fixture.whenStable();
    expect(page.querySelectorAll('[data-testid="rules-domains"] [data-testid="rule-row"]')).toHaveLength(2);
    const added = await nextCheck();
    expect((added.request.body as { policy: { domains: unknown[] } }).policy.domains[1]).toEqual({ name: '', downstream: { host: '', port: 25, tls: 'opportunistic' } });
    await answer(added, { error: 'invalid policy', problems: ['domains.1.name: must be a domain name', 'domains.1.downstream.host: Too small: expected string to have >=1 characters'] }, 400);
    expect(text('[data-testid="field-domains.1.name"] [data-testid="field-problem"]')).toEqual(['must be a domain name']);
    expect(text('[data-testid="field-domains.1.downstream.host"] [data-testid="field-problem"]')).toEqual(['Too small: expected string to have >=1 characters']);
    expect(text('[data-testid="tab-domains"] .count')).toEqual(['2']);

    fill(page, '#pf-domains-1-name', 'corp.test');
    fill(page, '#pf-domains-1-downstream-host', '192.0.2.25');
    fill(page, '#pf-domains-1-downstream-port', '2525');
    fill(page, '#pf-domains-1-downstream-tls', 'required');
    fill(page, '#pf-domains-1-downstream-tlsName', 'mx.corp.test');
    const filled = await nextCheck();
    expect((filled.request.body as { policy: { domains: unknown[] } }).policy.domains[1]).toEqual({
      name: 'corp.test',
      downstream: { host: '192.0.2.25', port: 2525, tls: 'required', tlsName: 'mx.corp.test' },
    });
    await answer(filled, { version: 3, changes: [{ path: 'domains[corp.test]', op: 'add', to: { name: 'corp.test' } }], warnings: [] });
    expect(page.querySelector('[data-testid="field-problem"]')).toBeNull();

    // Removing the running domain stops its mail: the review shows the CSM's warning and Publish waits for the box.
    find<HTMLButtonElement>(page, '[aria-label="Remove domain 1"]').click();
    const removed = await nextCheck();
    expect((removed.request.body as { policy: { domains: { name: string }[] } }).policy.domains.map((d) => d.name)).toEqual(['corp.test']);
    const warning = 'domain example.test removed: its mail will be refused and its downstream mail.example.test:25 no longer receives any';
    await answer(removed, { version: 3, changes: [{ path: 'domains[example.test]', op: 'remove', from: { name: 'example.test' } }], warnings: [warning] });
    find<HTMLButtonElement>(page, '[data-testid="policy-review"]').click();
    await fixture.whenStable();
    expect(text('[data-testid="policy-warning"]')).toEqual([warning]);
    expect(find<HTMLButtonElement>(page, '[data-testid="policy-publish"]').disabled).toBe(true);
    backend.expectNone((r) => r.method === 'PUT');
    fixture.destroy();
  });

  it('lists the DNS lists with their switches, explains why they are off, and shows the resolver in use', async () => {
    const { fixture, page, nextCheck, answer, text } = await open(ADMIN);
    find<HTMLButtonElement>(page, '[data-testid="tab-dnsLists"]').click();
    await fixture.whenStable();
    expect(text('[data-testid="section-note"]').join(' ')).toMatch(/terms of use.*refuse queries that come through large public resolvers.*Name your own resolver first/);
    expect(find<HTMLTextAreaElement>(page, '#pf-dns-servers').value).toBe('');
    expect([...page.querySelectorAll<HTMLInputElement>('[data-testid="rules-body.dnsbl.ipLists"] [data-testid="rule-row"] input[type="text"]')].map((input) => input.value)).toEqual(['SPAMHAUS_ZEN', 'zen.spamhaus.org', 'SPAMCOP', 'bl.spamcop.net']);
    expect(find<HTMLInputElement>(page, '#pf-body-dnsbl-urlLists-0-enabled').checked).toBe(false);
    expect(text('[data-testid="rules-body.dnsbl.senderLists"] .empty')).toEqual(['No rules.']);

    find<HTMLInputElement>(page, '#pf-body-dnsbl-ipLists-1-enabled').click();
    const check = await nextCheck();
    expect((check.request.body as { policy: { body: { dnsbl: { ipLists: { enabled: boolean }[] } } } }).policy.body.dnsbl.ipLists.map((l) => l.enabled)).toEqual([false, true]);
    const refused = "list SPAMCOP is on but no resolver is named: set dns.servers (your own resolver; public resolvers are refused by many lists' terms) or switch it off";
    await answer(check, { error: 'invalid policy', problems: [`body.dnsbl.ipLists.1.enabled: ${refused}`] }, 400);
    expect(text('[data-testid="field-body.dnsbl.ipLists.1.enabled"] [data-testid="field-problem"]')).toEqual([refused]);

    fill(page, '#pf-dns-servers', '192.0.2.53\n');
    const named = await nextCheck();
    expect((named.request.body as { policy: { dns: { servers: string[] } } }).policy.dns.servers).toEqual(['192.0.2.53']);
    await answer(named, { version: 3, changes: [], warnings: [] });
    expect(page.querySelector('[data-testid="field-body.dnsbl.ipLists.1.enabled"] [data-testid="field-problem"]')).toBeNull();
    fixture.destroy();
  });

  it('switches the structural and phishing rules off one by one on the Rules tab', async () => {
    const { fixture, page, nextCheck, text } = await open(ADMIN);
    find<HTMLButtonElement>(page, '[data-testid="tab-rules"]').click();
    await fixture.whenStable();
    expect(text('[data-testid="field-body.rules.off"] label')).toEqual(['Rules switched off']);
    fill(page, '#pf-body-rules-off', 'qr_code_links\nhidden_text\n');
    const check = await nextCheck();
    expect((check.request.body as { policy: { body: { rules: { off: string[] } } } }).policy.body.rules.off).toEqual(['qr_code_links', 'hidden_text']);
    fixture.destroy();
  });

  it('shows the policy read-only to a role that cannot write it', async () => {
    const { fixture, page } = await open(me('auditor', ['policy:read']));
    expect(page.querySelector('[data-testid="policy-read-only"]')).not.toBeNull();
    expect(find<HTMLInputElement>(page, '#pf-thresholds-tag').readOnly).toBe(true);
    expect(page.querySelector('[data-testid="policy-review"]')).toBeNull();
    expect(page.querySelector('[data-testid="policy-publish"]')).toBeNull();
    fixture.destroy();
  });
});

import { describe, expect, it } from 'vitest';
import { accountRows } from './accounts-view';

describe('accountRows', () => {
  const view = {
    version: 2,
    domains: [
      { name: 'example.test', accounts: ['bob', 'alice'] },
      { name: 'open.test', accounts: [] },
    ],
    senders: [
      { address: 'alice@example.test', canSend: true, hasPassword: true, aliases: [] },
      { address: 'relay@example.test', canSend: false, hasPassword: false, aliases: [] },
    ],
  };

  it('merges recipients and submission accounts, sorted, and names domains open to every local part', () => {
    const { rows, openDomains } = accountRows(view, '');
    expect(rows.map((r) => [r.address, r.recipient, r.sender?.hasPassword])).toEqual([
      ['alice@example.test', true, true],
      ['bob@example.test', true, undefined],
      ['relay@example.test', false, false],
    ]);
    expect(openDomains).toEqual(['open.test']);
  });

  it('searches any part of the address in any case', () => {
    expect(accountRows(view, ' BOB ').rows.map((r) => r.address)).toEqual(['bob@example.test']);
    expect(accountRows(view, 'nobody').rows).toEqual([]);
  });
});

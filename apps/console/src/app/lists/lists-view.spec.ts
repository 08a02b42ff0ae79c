import { describe, expect, it } from 'vitest';
import type { ListsView } from '../api/api.types';
import { listEntries } from './lists-view';

const empty = { ipBlock: [], ipAllow: [], senderBlock: [], senderAllow: [] };
const view: ListsView = {
  version: 3,
  lists: { ...empty, ipBlock: ['192.0.2.1', '198.51.100.0/24'] },
  domains: [{ name: 'example.test', lists: { ...empty, senderBlock: ['spam@bad.test', '.bad.test', 'other.test'] } }],
};

describe('listEntries', () => {
  it('reads the global lists or a domain, filtered by a search in any case', () => {
    expect(listEntries(view, '', 'ip-block', '')).toEqual(['192.0.2.1', '198.51.100.0/24']);
    expect(listEntries(view, '', 'ip-block', ' 198.51 ')).toEqual(['198.51.100.0/24']);
    expect(listEntries(view, 'example.test', 'sender-block', 'BAD')).toEqual(['spam@bad.test', '.bad.test']);
    expect(listEntries(view, 'example.test', 'ip-block', '')).toEqual([]);
    expect(listEntries(view, 'gone.test', 'sender-block', '')).toEqual([]);
  });
});

import { DEFAULT_MIME_LIMITS } from '@moat/content';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { MAX_URLS } from '../message/extract-urls.js';
import { Pipeline } from '../pipeline.js';
import { mimeParse, MIME_PARSE_ERROR_SCORE } from './mime-parse.js';

const policy = compilePolicy(parsePolicy({}), 0);

async function scan(raw: string) {
  return new Pipeline([mimeParse]).session(policy, { clientIp: '' }).data(Buffer.from(raw));
}

describe('mime_parse check', () => {
  it('is silent for a well-formed message', async () => {
    expect((await scan('Subject: ok\r\n\r\nhello http://a.test\r\n')).symbols).toEqual([]);
  });

  it('scores a message the parser had to stop on', async () => {
    const parts = Array.from({ length: DEFAULT_MIME_LIMITS.maxParts + 1 }, () => '--b\r\n\r\nx\r\n').join('');
    const verdict = await scan(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`);
    expect(verdict.symbols).toEqual([{ name: 'MIME_PARSE_ERROR', score: MIME_PARSE_ERROR_SCORE, detail: expect.stringMatching(/more than 1000 MIME parts/), stage: 'data' }]);
    expect(verdict.action).toBe('tag');
  });

  it('notes when there were more URLs than the list keeps', async () => {
    const body = Array.from({ length: MAX_URLS + 1 }, (_, i) => `http://h${i}.test/`).join('\r\n');
    const verdict = await scan(`Subject: links\r\n\r\n${body}\r\n`);
    expect(verdict.symbols.map((s) => s.name)).toEqual(['URL_LIMIT']);
    expect(verdict.urls).toHaveLength(MAX_URLS);
  });
});

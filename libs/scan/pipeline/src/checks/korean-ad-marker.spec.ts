import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import type { StageCheck } from '../check.js';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { koreanAdMarker } from './korean-ad-marker.js';

const policyWith = (koreanAd: Record<string, unknown>) => compilePolicy(parsePolicy({ body: { koreanAd: { mode: 'require', ...koreanAd } } }), 0);
// Stands in for the bulk check that runs before: the marker check reads the symbols already fired.
const bulkHigh: StageCheck<'data'> = { name: 'bulk_stand_in', stage: 'data', run: (ctx) => ctx.results.add('BULK_HIGH', 3, 'seen 900 times') };

async function scan(subject: string, text: string, options: { policy?: ReturnType<typeof policyWith>; bulk?: boolean; headers?: string } = {}) {
  const raw = `From: shop@deals.test\r\nSubject: ${subject}\r\n${options.headers ?? ''}Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  const checks = options.bulk ? [bulkHigh, koreanAdMarker] : [koreanAdMarker];
  const verdict = await new Pipeline(checks).session(options.policy ?? policyWith({}), { clientIp: '' }).data(Buffer.from(raw));
  return { action: verdict.action, symbols: verdict.symbols.filter((s) => s.name.startsWith('KR_')).map((s) => [s.name, s.score, s.detail]) };
}

describe('korean_ad_marker check', () => {
  it('recognises the marker and applies the optional action', async () => {
    expect((await scan('(광고) 봄맞이 세일', '할인 안내')).symbols).toEqual([['KR_AD_MARKER', 0, 'subject starts with (광고)']]);
    expect(await scan('（광고） 봄맞이 세일', '할인 안내', { policy: policyWith({ presentAction: 'quarantine', presentScore: 1 }) })).toEqual({ action: 'quarantine', symbols: [['KR_AD_MARKER', 1, 'subject starts with (광고)']] });
  });

  it('flags a disguised or misplaced marker', async () => {
    expect((await scan('[광고] 봄맞이 세일', '할인')).symbols).toEqual([['KR_AD_MARKER_MALFORMED', 4, '"[광고]" instead of (광고) at the start of the subject']]);
    expect((await scan('(광*고) 세일', '할인')).symbols[0]?.[0]).toBe('KR_AD_MARKER_MALFORMED');
    expect((await scan('봄맞이 세일 (광 고)', '할인')).symbols[0]?.[0]).toBe('KR_AD_MARKER_MALFORMED');
  });

  it('flags Korean advertising without the marker: bulk, List-Unsubscribe or opt-out wording', async () => {
    expect((await scan('봄맞이 세일', '전 품목 70% 할인', { bulk: true })).symbols).toEqual([['KR_AD_MARKER_MISSING', 3, 'Korean advertising without (광고): BULK_HIGH']]);
    expect((await scan('봄맞이 세일', '전 품목 할인. 수신거부는 여기를 누르세요.')).symbols[0]?.[2]).toBe('Korean advertising without (광고): opt-out wording');
    expect((await scan('봄맞이 세일', '전 품목 할인', { headers: 'List-Unsubscribe: <mailto:u@deals.test>\r\n' })).symbols[0]?.[2]).toBe('Korean advertising without (광고): List-Unsubscribe');
  });

  it('leaves personal Korean mail, English bulk mail and a policy that is off alone', async () => {
    expect((await scan('내일 회의', '내일 오후 두 시에 뵙겠습니다.')).symbols).toEqual([]);
    expect((await scan('Spring sale', 'Everything 70% off. Unsubscribe here.', { bulk: true })).symbols).toEqual([]);
    expect(koreanAdMarker.enabled?.(compilePolicy(parsePolicy({}), 0))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { fingerprintText, normalisedWords } from './fingerprint.js';

const campaign = (name: string, order: string) =>
  `Dear ${name}, your order ${order} qualifies for our exclusive spring clearance. Every item in the warehouse is
  marked down by seventy percent until Sunday, and members receive free shipping on all purchases. Visit the store
  today to choose from thousands of products including garden tools, kitchen appliances and outdoor furniture.
  This offer cannot be combined with other promotions. Thank you for being a valued customer.`;

const shared = (a: string[], b: string[]) => a.filter((band) => b.includes(band)).length;

describe('fuzzy text fingerprint', () => {
  it('gives per-recipient variants of one text shared bands', () => {
    const alice = fingerprintText(campaign('Alice', '#12345'), 20);
    const bob = fingerprintText(campaign('Bob Stone', '#99881'), 20);
    expect(alice.bands).toHaveLength(16);
    expect(shared(alice.bands, bob.bands)).toBeGreaterThanOrEqual(3);
  });

  it('gives unrelated texts no shared band', () => {
    const other = `Hi team, the quarterly planning meeting moves to Thursday afternoon in the large conference room.
      Please bring the budget figures for your department and a short summary of the hiring plan so that we can
      agree on priorities before the board review next month. Lunch will be provided for everyone attending.`;
    expect(shared(fingerprintText(campaign('Alice', '1'), 20).bands, fingerprintText(other, 20).bands)).toBe(0);
  });

  it('fingerprints Korean text and tolerates a changed name', () => {
    const korean = (name: string) =>
      `${name} 고객님 안녕하세요. 봄맞이 특별 할인 행사를 안내해 드립니다. 이번 주 일요일까지 모든 상품을 최대 칠십 퍼센트 할인된 가격으로 만나보실 수 있으며 회원님께는 무료 배송 혜택을 드립니다. 지금 바로 매장을 방문하시어 다양한 생활용품과 주방 가전을 확인해 보세요. 감사합니다.`;
    const a = fingerprintText(korean('김철수'), 20);
    const b = fingerprintText(korean('이영희'), 20);
    expect(a.bands).toHaveLength(16);
    expect(shared(a.bands, b.bands)).toBeGreaterThanOrEqual(3);
  });

  it('skips texts too short to tell bulk from a common reply', () => {
    expect(fingerprintText('Thanks, see you tomorrow!', 20).bands).toEqual([]);
  });

  it('drops numbers, URLs and addresses and splits unspaced scripts into characters', () => {
    expect(normalisedWords('Order 42 at https://x.test/a?b=1 or me@x.test — 東京タワー')).toEqual(['order', 'at', 'or', '東', '京', 'タ', 'ワ', 'ー']);
  });

  it('takes linear time on a long line without spaces (no backtracking from every position)', () => {
    const started = performance.now();
    expect(normalisedWords(`${'x'.repeat(200_000)} me@x.test`)).toEqual(['x'.repeat(200_000)]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

import type { DailyCount } from '../api/api.types';
import { dailyRows, reportDays, statsWindow, totalsByAction, windowDays } from './daily-stats';

const NOW = Date.UTC(2026, 4, 10, 15, 30); // Sunday 10 May 2026, 15:30 UTC

describe('statsWindow', () => {
  it('starts at UTC midnight six days before today and ends now', () => {
    expect(statsWindow(NOW, 7)).toEqual({ fromMs: Date.UTC(2026, 4, 4), toMs: NOW });
  });
});

describe('windowDays', () => {
  it('lists the seven days oldest first', () => {
    expect(windowDays(NOW, 7)).toEqual([
      '2026-05-04',
      '2026-05-05',
      '2026-05-06',
      '2026-05-07',
      '2026-05-08',
      '2026-05-09',
      '2026-05-10',
    ]);
  });
});

describe('dailyRows', () => {
  const daily: DailyCount[] = [
    { day: '2026-05-10', direction: 'inbound', action: 'deliver', count: 90 },
    { day: '2026-05-10', direction: 'inbound', action: 'reject', count: 10 },
    { day: '2026-05-08', direction: 'inbound', action: 'quarantine', count: 3 },
    { day: '2026-05-10', direction: 'outbound', action: 'deliver', count: 7 },
  ];

  it('fills every day of the window and counts one direction only', () => {
    const rows = dailyRows(daily, windowDays(NOW, 7), 'inbound');
    expect(rows.map((r) => r.total)).toEqual([0, 0, 0, 0, 3, 0, 100]);
    expect(rows[6]?.counts).toMatchObject({ deliver: 90, reject: 10, quarantine: 0 });
  });

  it('keeps a day the server reports outside the window', () => {
    const shifted: DailyCount[] = [{ day: '2026-05-03', direction: 'inbound', action: 'deliver', count: 2 }];
    const days = reportDays(shifted, NOW, 7);
    expect(days[0]).toBe('2026-05-03');
    expect(dailyRows(shifted, days, 'inbound')[0]?.total).toBe(2);
  });
});

describe('totalsByAction', () => {
  it('sums both directions unless one is given', () => {
    const counts = [
      { direction: 'inbound', action: 'deliver', count: 5 },
      { direction: 'outbound', action: 'deliver', count: 2 },
      { direction: 'outbound', action: 'reject', count: 1 },
    ] as const;
    expect(totalsByAction(counts)).toMatchObject({ deliver: 7, reject: 1, tag: 0 });
    expect(totalsByAction(counts, 'outbound')).toMatchObject({ deliver: 2, reject: 1 });
  });
});

import {
  formatCachedAccount,
  parseCachedAccount,
  parseCachedBalance,
  wouldExceedDailySpendCap,
} from './balance-cache.reader';

describe('the balance cache entry', () => {
  const wallet = { balance: 70, frozen: true, spentDay: '2026-11-30', spentToday: 30, dailySpendCap: 100 };

  it('carries the balance and the spending safeguards; an entry of the older form gives its balance alone', () => {
    expect(formatCachedAccount(wallet)).toBe('70:0:2026-11-30:30:100');
    expect(parseCachedAccount(`4:${formatCachedAccount(wallet)}`)).toEqual(wallet);
    expect(parseCachedAccount(`4:${formatCachedAccount({ ...wallet, frozen: false, spentDay: null })}`)).toEqual({
      ...wallet,
      frozen: false,
      spentDay: null,
    });
    expect(parseCachedAccount('4:70')).toEqual({
      balance: 70,
      frozen: false,
      spentDay: null,
      spentToday: 0,
      dailySpendCap: 0,
    });
    expect(parseCachedBalance(`4:${formatCachedAccount(wallet)}`)).toBe(70);
  });

  it('is unreadable, not half read, when a field is not what bank-service writes', () => {
    for (const value of [null, '', '4:x', '4:70:2:-:0:0', '4:70:1:-:x:0', '4:70:1:-:0:0:extra', '4:70:1:-:0'])
      expect(parseCachedAccount(value)).toBeUndefined();
  });

  it("wouldExceedDailySpendCap: today's spending plus the price over the cap; an earlier day counts nothing, a later one counts; cap 0 is none", () => {
    expect(wouldExceedDailySpendCap(wallet, '2026-11-30', 70)).toBe(false);
    expect(wouldExceedDailySpendCap(wallet, '2026-11-30', 71)).toBe(true);
    expect(wouldExceedDailySpendCap(wallet, '2026-12-01', 100)).toBe(false);
    expect(wouldExceedDailySpendCap(wallet, '2026-12-01', 101)).toBe(true);
    expect(wouldExceedDailySpendCap({ ...wallet, dailySpendCap: 0 }, '2026-11-30', 1e9)).toBe(false);
    // A clock behind the one that counted the spending (before midnight, the entry of the next day): it counts.
    expect(wouldExceedDailySpendCap(wallet, '2026-11-29', 70)).toBe(false);
    expect(wouldExceedDailySpendCap(wallet, '2026-11-29', 71)).toBe(true);
  });
});

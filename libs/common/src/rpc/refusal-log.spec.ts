import { Logger } from '@nestjs/common';
import { RefusalLog } from './refusal-log';

describe('RefusalLog', () => {
  afterEach(() => jest.useRealTimers());

  it('logs at most `limit` lines per period, then says how many it left out', () => {
    const lines: string[] = [];
    const log = new RefusalLog({ warn: (m: string) => lines.push(m) } as unknown as Logger, 3, 1_000);
    for (let i = 0; i < 10; i++) log.refused(`refused ${i}`, 5_000 + i);
    log.refused('later', 6_000);
    expect(lines).toEqual([
      'refused 0',
      'refused 1',
      'refused 2',
      '7 more refused RPC frames in the last 1 s (not logged one by one)',
      'later',
    ]);
    const callbacks: string[] = [];
    const named = new RefusalLog(
      { warn: (m: string) => callbacks.push(m) } as unknown as Logger,
      1,
      1_000,
      'callbacks',
    );
    for (let i = 0; i < 3; i++) named.refused(`bad ${i}`, 5_000 + i);
    named.refused('later', 6_000);
    expect(callbacks).toEqual(['bad 0', '2 more callbacks in the last 1 s (not logged one by one)', 'later']);
  });

  it('prints the count when the period ends, though no refusal follows (once)', () => {
    jest.useFakeTimers({ now: 50_000 });
    const lines: string[] = [];
    const log = new RefusalLog({ warn: (m: string) => lines.push(m) } as unknown as Logger, 2, 10_000, 'callbacks');
    for (let i = 0; i < 5; i++) {
      log.refused(`bad ${i}`);
      jest.advanceTimersByTime(1_000);
    }
    expect(lines).toEqual(['bad 0', 'bad 1']);
    jest.advanceTimersByTime(4_999);
    expect(lines).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(lines).toEqual(['bad 0', 'bad 1', '3 more callbacks in the last 10 s (not logged one by one)']);
    log.refused('next period');
    jest.advanceTimersByTime(60_000);
    expect(lines.slice(3)).toEqual(['next period']);
  });
});

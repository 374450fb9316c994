import { RecentMsgIds } from './recent-msg-ids';

describe('RecentMsgIds: a msgId at most once per scope, bounded', () => {
  it('says first time once per scope; scopes are separate', () => {
    const recent = new RecentMsgIds(10, 1_000);
    expect(recent.firstTime('r1', 'a', 0)).toBe(true);
    expect(recent.firstTime('r1', 'a', 1)).toBe(false);
    expect(recent.firstTime('r2', 'a', 1)).toBe(true);
  });

  it('keeps at most perScope msgIds (the oldest goes) and each only for the TTL', () => {
    const recent = new RecentMsgIds(2, 1_000);
    for (const id of ['a', 'b', 'c']) recent.firstTime('r1', id, 0);
    expect(recent.firstTime('r1', 'a', 10)).toBe(true); // pushed out by c
    expect(recent.firstTime('r1', 'c', 10)).toBe(false);
    expect(recent.firstTime('r1', 'c', 1_001)).toBe(true); // expired
  });

  it('sweep forgets expired msgIds and the scopes no longer held', () => {
    const recent = new RecentMsgIds(10, 1_000);
    recent.firstTime('r1', 'a', 0);
    recent.firstTime('r2', 'b', 0);
    recent.firstTime('u3', 'c', 900);
    recent.sweep((scope) => scope !== 'r2', 500);
    expect(recent.size).toBe(2);
    recent.sweep(() => true, 1_500);
    expect(recent.size).toBe(1);
    expect(recent.firstTime('u3', 'c', 1_500)).toBe(false);
  });
});

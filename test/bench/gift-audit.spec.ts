import { AuditedGift, GiftOutcome, judgePushes, ObservedSocket, verdict } from '../../bench/support/gift-audit';

const gift = (requestId: string, senderId: number, roomId: number, sentAt = 100): AuditedGift => ({
  requestId,
  senderId,
  roomId,
  sentAt,
});

function socket(seat: number, userId: number, roomId: number, over: Partial<ObservedSocket> = {}): ObservedSocket {
  const batch = seat % 2 === 1;
  return {
    seat,
    userId,
    roomId,
    batch,
    loginAt: 50,
    closedAt: null,
    effects: [],
    failures: [],
    foreignRoom: 0,
    ...over,
  };
}

const figures = (...args: Parameters<typeof judgePushes>) => verdict(judgePushes(...args));

describe('judgePushes (the push half of the gift audit)', () => {
  const gifts = [gift('1:c-1', 1, 10), gift('2:c-2', 2, 10)];
  const outcomes = new Map<string, GiftOutcome>([
    ['1:c-1', 'charged'],
    ['2:c-2', 'refused'],
  ]);

  it('passes when each room socket got the effect once and the sender its failure once', () => {
    const sockets = [
      socket(0, 1, 10, { effects: [['1:c-1', 1]] }),
      socket(1, 2, 10, { effects: [['1:c-1', 1]], failures: [['2:c-2', 1]] }),
    ];
    const r = figures(gifts, outcomes, sockets, ['%:c-%']);
    expect(r.ok).toBe(true);
    expect(r.figures).toMatchObject({ effectPairsJudged: 2, failurePairsJudged: 1, effectsLost: 0 });
  });

  it('fails on a lost effect, a duplicated effect, a lost failure and a duplicated failure', () => {
    const lost = figures(
      gifts,
      outcomes,
      [socket(0, 1, 10), socket(1, 2, 10, { effects: [['1:c-1', 1]], failures: [['2:c-2', 1]] })],
      [],
    );
    expect(lost.ok).toBe(false);
    expect(lost.figures.effectsLost).toBe(1);
    const dup = figures(gifts, outcomes, [socket(1, 2, 10, { effects: [['1:c-1', 2]], failures: [['2:c-2', 3]] })], []);
    expect(dup.figures).toMatchObject({ effectsDuplicated: 1, failuresDuplicated: 2, effectsLost: 0 });
    expect(dup.ok).toBe(false);
    const noFailure = figures(gifts, outcomes, [socket(1, 2, 10, { effects: [['1:c-1', 1]] })], []);
    expect(noFailure.figures.failuresLost).toBe(1);
    expect(noFailure.ok).toBe(false);
  });

  it('does not judge a socket that closed, or that logged in after the gift was sent', () => {
    const sockets = [
      socket(0, 1, 10, { closedAt: 120 }),
      socket(0, 1, 10, { loginAt: 130 }),
      socket(1, 2, 10, { effects: [['1:c-1', 1]], failures: [['2:c-2', 1]] }),
      socket(2, 3, 10, { effects: [['1:c-1', 1]] }),
    ];
    const r = figures(gifts, outcomes, sockets, []);
    expect(r.figures).toMatchObject({ effectPairsJudged: 2, effectPairsExcluded: 1, seatsReconnected: 1, seats: 3 });
    expect(r.ok).toBe(true);
  });

  it('fails when most pairs could not be judged', () => {
    const sockets = [socket(0, 1, 10, { loginAt: 200 }), socket(1, 2, 10, { loginAt: 200 })];
    const r = figures([gift('1:c-1', 1, 10)], outcomes, sockets, []);
    expect(r.figures).toMatchObject({ effectPairsJudged: 0, effectPairsExcluded: 2 });
    expect(r.ok).toBe(false);
  });

  it('fails when a gift was charged and no observer sat in its room (nothing judged); no refusal pair is due', () => {
    const elsewhere = [socket(0, 3, 11), socket(1, 4, 11)];
    const r = figures(gifts, outcomes, elsewhere, []);
    expect(r.figures).toMatchObject({ effectPairsJudged: 0, effectPairsExcluded: 0, failurePairsJudged: 0 });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([expect.stringMatching(/^sockets connected/)]);
    // Only a refused gift, its sender without a socket (an anchor, say): nothing was due, nothing to judge.
    const refusedOnly = figures([gift('2:c-2', 2, 10)], outcomes, [socket(0, 1, 10)], []);
    expect(refusedOnly.figures).toMatchObject({ effectPairsJudged: 0, failurePairsJudged: 0, failurePairsExcluded: 0 });
    expect(refusedOnly.ok).toBe(true);
  });

  it('passes when most failure pairs were excluded but at least 10, and a tenth, were judged (refused gifts bunch up after faults)', () => {
    const judgedAndExcluded = (judged: number, excluded: number) => {
      const mine = Array.from({ length: judged }, (_, i) => gift(`2:r-${i}`, 2, 10));
      // Sent while the other sender's socket was being replaced (it logs in after them): not judged.
      const theirs = Array.from({ length: excluded }, (_, i) => gift(`3:r-${i}`, 3, 10));
      const all = [...mine, ...theirs];
      return figures(
        all,
        new Map<string, GiftOutcome>(all.map((g) => [g.requestId, 'refused'])),
        [
          socket(1, 2, 10, { failures: mine.map((g): [string, number] => [g.requestId, 1]) }),
          socket(2, 3, 10, { loginAt: 200 }),
        ],
        [],
      );
    };
    const ten = judgedAndExcluded(10, 15);
    expect(ten.figures).toMatchObject({ failurePairsJudged: 10, failurePairsExcluded: 15, failuresLost: 0 });
    expect(ten.ok).toBe(true);
    const nine = judgedAndExcluded(9, 15);
    expect(nine.figures).toMatchObject({ failurePairsJudged: 9, failurePairsExcluded: 15 });
    expect(nine.ok).toBe(false);
    // Ten judged out of 200: too few to stand for the rest.
    const tenOf200 = judgedAndExcluded(10, 190);
    expect(tenOf200.figures).toMatchObject({ failurePairsJudged: 10, failurePairsExcluded: 190 });
    expect(tenOf200.ok).toBe(false);
  });

  it('with judgedLate, counts the failure pairs judged of the gifts it picks (chaos: the poor viewers after its last fault)', () => {
    const refused = [
      gift('2:r-early', 2, 10, 100),
      gift('2:r-late', 2, 10, 300),
      gift('3:r-late', 3, 10, 300),
      gift('4:r-late', 4, 10, 300),
    ];
    const out = new Map<string, GiftOutcome>(refused.map((g) => [g.requestId, 'refused']));
    const sockets = [
      socket(1, 2, 10, {
        failures: [
          ['2:r-early', 1],
          ['2:r-late', 1],
        ],
      }),
      // Logged in after the late gift: its pair is excluded, not counted late.
      socket(2, 3, 10, { loginAt: 400, failures: [['3:r-late', 1]] }),
      // Judged, sent late, but not of a sender picked: not counted late.
      socket(3, 4, 10, { failures: [['4:r-late', 1]] }),
    ];
    const r = figures(refused, out, sockets, [], (g) => g.sentAt >= 300 && g.senderId !== 4);
    expect(r.figures).toMatchObject({ failurePairsJudged: 3, failurePairsJudgedLate: 1, failurePairsExcluded: 1 });
    expect(r.ok).toBe(true);
    // Without judgedLate the figure is not there.
    expect(figures(refused, out, sockets, []).figures).not.toHaveProperty('failurePairsJudgedLate');
  });

  it('fails on pushes a socket was not due: a refused gift effect, another room, another user failure', () => {
    const sockets = [
      socket(0, 1, 10, {
        effects: [
          ['1:c-1', 1],
          ['2:c-2', 1],
        ],
        failures: [['2:c-2', 1]],
      }),
      socket(1, 2, 10, { effects: [['1:c-1', 1]], failures: [['2:c-2', 1]] }),
      socket(2, 5, 11, {
        effects: [
          ['1:c-1', 1],
          ['9:c-9', 1],
        ],
        foreignRoom: 2,
      }),
    ];
    const r = figures(gifts, outcomes, sockets, ['%:c-%']);
    expect(r.figures).toMatchObject({ unexpectedEffects: 3, unexpectedFailures: 1, effectsOfAnotherRoom: 2 });
    expect(r.ok).toBe(false);
    const others = figures(gifts, outcomes, [socket(2, 5, 11, { effects: [['9:x-9', 1]] })], ['%:c-%']);
    expect(others.figures.unexpectedEffects).toBe(0);
  });
});

import {
  describeEffects,
  describeRuns,
  EffectTimes,
  parseRunLines,
  summarizeEffects,
  summarizeRuns,
} from '../../bench/support/run-lines';

/** A run line as SendGiftPipeline.process writes it (pino JSON, level info). */
const runLine = (time: number, gifts: number, ms: number, oldest: number, steps: number[], extra = ''): string =>
  JSON.stringify({
    level: 30,
    time,
    name: 'gift-service',
    context: 'SendGiftPipeline',
    msg: `bench_x.send_gift [3]0..${gifts - 1}: ${gifts} gifts, ${gifts} charged, 0 rejected, 0 replayed, 0 parked, ${gifts} records, ${gifts}+0 pushed${extra} in ${ms} ms, oldest sent ${oldest} ms before (bank ${steps[0]}, outcomes ${steps[1]}, pushes ${steps[2]}, records ${steps[3]})`,
  });

describe("the bench's reading of gift-service's run lines", () => {
  const log = [
    runLine(1_000, 10, 50, 80, [20, 5, 10, 4]),
    '{"level":30,"time":1010,"msg":"something else"}',
    'not json, oldest sent 5 ms before',
    runLine(1_070, 20, 60, 90, [25, 6, 12, 5], ' (2 replays recorded before: no effect again)'),
    runLine(1_150, 30, 70, 100, [30, 7, 14, 6]),
    runLine(9_000, 99, 99, 99, [9, 9, 9, 9]),
  ].join('\n');

  it('parses each run line (a replay note included) and skips every other line', () => {
    const runs = parseRunLines(log);
    expect(runs.map((r) => r.gifts)).toEqual([10, 20, 30, 99]);
    expect(runs[1]).toEqual({
      at: 1_070,
      admitMs: 0,
      gifts: 20,
      ms: 60,
      oldestMs: 90,
      bankMs: 25,
      outcomesMs: 6,
      pushesMs: 12,
      recordsMs: 5,
    });
  });

  it("sums up a phase's runs: medians, the gap between runs, nothing outside the window", () => {
    const s = summarizeRuns(parseRunLines(log), 0, 2_000)!;
    expect(s).toMatchObject({ runs: 3, giftsP50: 20, msP50: 60, msP90: 70, bankMsP50: 25, oldestMsP50: 90 });
    // Run 2 started at 1,070 - 60 = 1,010, 10 ms after run 1 ended; run 3 at 1,080, 10 ms after run 2.
    expect(s.gapMsP50).toBe(10);
    expect(describeRuns('half rate', s)).toContain('half rate: 3 runs of 20 gifts, 60 ms each');
    expect(summarizeRuns(parseRunLines(log), 2_000, 3_000)).toBeNull();
  });

  it('reads the admit step of the lines that have it (0 in older lines)', () => {
    const line = JSON.stringify({
      level: 30,
      time: 5_000,
      msg: 'bench_x.send_gift [0]0..9: 10 gifts, 10 charged, 0 rejected, 0 replayed, 0 parked, 10 records, 10+0 pushed in 60 ms, oldest sent 70 ms before (admit 4, bank 20, outcomes 6, pushes 12, records 5)',
    });
    expect(parseRunLines(line)[0]).toMatchObject({ at: 5_000, ms: 60, admitMs: 4, bankMs: 20, pushesMs: 12 });
    expect(parseRunLines(log)[0].admitMs).toBe(0);
  });

  it("times each gift's effect from its run's pushes (run start + admit + bank + outcomes), not from the run's end", () => {
    // Pushes began at 1,000 - 50 + 20 + 5 = 975, 1,070 - 60 + 25 + 6 = 1,041 and 1,150 - 70 + 30 + 7 = 1,117.
    const runs = parseRunLines(log).slice(0, 3);
    const gifts: EffectTimes[] = [
      [900, 985, 1_015], // 10 ms after the pushes of 975 (before that run's line at 1,000), last socket 30 ms later
      [990, 1_071, 1_076], // 30 ms after 1,041
      [1_100, 1_157, 1_157], // 40 ms after 1,117
      [100, 900, 910], // before any run's pushes: no push time, still a send-to-first time
    ];
    const s = summarizeEffects(gifts, runs)!;
    expect(s).toMatchObject({ gifts: 4, afterPushMsP50: 30, afterPushMsP90: 40, afterPushMsP99: 40, pushesMsP50: 12 });
    expect(s).toMatchObject({ spreadMsP50: 10, spreadMsP99: 30 }); // spreads 30, 5, 0 and 10
    // Send to first socket: 85, 81, 57 and 800 ms.
    expect([s.firstMsP50, s.firstMsP99]).toEqual([85, 800]);
    expect(describeEffects('half rate', s)).toContain("half rate: 4 gifts, the room's first socket got each 85 ms");
    expect(summarizeEffects([], runs)).toBeNull();
    expect(summarizeEffects(gifts, [])).toBeNull();
    expect(summarizeEffects([[100, 900, 910]], runs)).toBeNull();
  });
});

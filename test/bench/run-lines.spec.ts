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

  it("times each gift's effect from the end of the last run before its first socket got it", () => {
    const runs = parseRunLines(log); // runs end at 1,000, 1,070, 1,150 and 9,000
    const gifts: EffectTimes[] = [
      [960, 1_010, 1_040], // first socket 10 ms after the run of 1,000, last 30 ms after the first
      [990, 1_100, 1_105], // 30 ms after the run of 1,070
      [1_100, 1_190, 1_190], // 40 ms after the run of 1,150
      [100, 900, 910], // before any run ended: no run time, still a send-to-first time
    ];
    const s = summarizeEffects(gifts, runs)!;
    expect(s).toMatchObject({ gifts: 4, afterRunMsP50: 30, afterRunMsP99: 40, spreadMsP50: 10, spreadMsP99: 30 });
    // Send to first socket: 50, 110, 90 and 800 ms.
    expect([s.firstMsP50, s.firstMsP99]).toEqual([110, 800]);
    expect(describeEffects('half rate', s)).toContain('half rate: 4 gifts, the room');
    expect(summarizeEffects([], runs)).toBeNull();
    expect(summarizeEffects(gifts, [])).toBeNull();
  });
});

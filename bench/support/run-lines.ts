import { pct } from './bench-kit';

/**
 * gift-service's per-run lines (SendGiftPipeline.process, at log level info): where a phase's send-to-effect time
 * goes. A line ends `... <n> gifts, ... in <ms> ms, oldest sent <ms> ms before (bank <ms>, outcomes <ms>, pushes
 * <ms>, records <ms>)`; pino writes it as JSON with its time.
 */
export interface RunLine {
  /** When the run ended (epoch ms). */
  at: number;
  gifts: number;
  ms: number;
  /** How long before the run started its oldest gift was sent. */
  oldestMs: number;
  bankMs: number;
  outcomesMs: number;
  pushesMs: number;
  recordsMs: number;
}

const RUN =
  /: (\d+) gifts, .* in (\d+) ms, oldest sent (-?\d+) ms before \(bank (\d+), outcomes (\d+), pushes (\d+), records (\d+)\)$/;

/** The run lines of a gift-service log; every other line (and any line cut or not JSON) is skipped. */
export function parseRunLines(log: string): RunLine[] {
  const runs: RunLine[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('oldest sent')) continue;
    let parsed: { time?: unknown; msg?: unknown };
    try {
      parsed = JSON.parse(line) as { time?: unknown; msg?: unknown };
    } catch {
      continue;
    }
    const m = typeof parsed.msg === 'string' ? RUN.exec(parsed.msg) : null;
    if (!m || typeof parsed.time !== 'number') continue;
    const [gifts, ms, oldestMs, bankMs, outcomesMs, pushesMs, recordsMs] = m.slice(1).map(Number);
    runs.push({ at: parsed.time, gifts, ms, oldestMs, bankMs, outcomesMs, pushesMs, recordsMs });
  }
  return runs;
}

export interface RunSummary {
  runs: number;
  giftsP50: number;
  msP50: number;
  msP90: number;
  /** From one run's end to the next one's start (kafkajs commits, heartbeats and fetches again in between). */
  gapMsP50: number;
  oldestMsP50: number;
  oldestMsP90: number;
  bankMsP50: number;
  outcomesMsP50: number;
  pushesMsP50: number;
  recordsMsP50: number;
}

const quantile = (values: number[], q: number): number =>
  pct(
    [...values].sort((a, b) => a - b),
    q * 100,
  );

/** The runs that ended within [from, to] (epoch ms), summed up; null when there were none. */
export function summarizeRuns(lines: readonly RunLine[], from: number, to: number): RunSummary | null {
  const runs = lines.filter((r) => r.at >= from && r.at <= to).sort((a, b) => a.at - b.at);
  if (runs.length === 0) return null;
  const pick = (f: (r: RunLine) => number, q = 0.5) => quantile(runs.map(f), q);
  // Two runs may overlap (a retried batch runs alone beside the next): a gap is counted only where none did.
  const gaps = runs.slice(1).flatMap((r, i) => {
    const gap = r.at - r.ms - runs[i].at;
    return gap >= 0 ? [gap] : [];
  });
  return {
    runs: runs.length,
    giftsP50: pick((r) => r.gifts),
    msP50: pick((r) => r.ms),
    msP90: pick((r) => r.ms, 0.9),
    gapMsP50: gaps.length > 0 ? quantile(gaps, 0.5) : 0,
    oldestMsP50: pick((r) => r.oldestMs),
    oldestMsP90: pick((r) => r.oldestMs, 0.9),
    bankMsP50: pick((r) => r.bankMs),
    outcomesMsP50: pick((r) => r.outcomesMs),
    pushesMsP50: pick((r) => r.pushesMs),
    recordsMsP50: pick((r) => r.recordsMs),
  };
}

/** One line of a phase's runs, medians unless said. */
export function describeRuns(phase: string, s: RunSummary): string {
  return (
    `${phase}: ${s.runs} runs of ${s.giftsP50} gifts, ${s.msP50} ms each (p90 ${s.msP90}: bank ${s.bankMsP50}, ` +
    `outcomes ${s.outcomesMsP50}, pushes ${s.pushesMsP50}, records ${s.recordsMsP50}), ${s.gapMsP50} ms between ` +
    `runs, the oldest gift sent ${s.oldestMsP50} ms (p90 ${s.oldestMsP90}) before its run started`
  );
}

/** One gift effect as the viewers saw it (epoch ms): when it was sent, when its room's first and last socket got it. */
export type EffectTimes = [sentAt: number, first: number, last: number];

/** Where a phase's send-to-effect time goes after gift-service (medians unless said). */
export interface EffectSummary {
  gifts: number;
  /** Send to the first socket of the room. */
  firstMsP50: number;
  firstMsP99: number;
  /**
   * The first socket's receipt after the end of the last gift-service run that ended before it: im-core's writes
   * to every socket of the run's rooms, then the viewers' one thread reading them (the gift's own run, unless
   * another ended in between: runs end tens of ms apart, so mostly its own).
   */
  afterRunMsP50: number;
  afterRunMsP90: number;
  afterRunMsP99: number;
  /** From the room's first socket to its last (the viewers read their sockets one after another). */
  spreadMsP50: number;
  spreadMsP99: number;
}

/** The phase's gift effects against the runs' ends; null without gifts or runs. */
export function summarizeEffects(gifts: readonly EffectTimes[], lines: readonly RunLine[]): EffectSummary | null {
  const ends = lines.map((r) => r.at).sort((a, b) => a - b);
  if (gifts.length === 0 || ends.length === 0) return null;
  const lastEndBefore = (t: number): number | undefined => {
    let lo = 0;
    let hi = ends.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] <= t) {
        found = ends[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const afterRun = gifts.flatMap(([, first]) => {
    const end = lastEndBefore(first);
    return end === undefined ? [] : [first - end];
  });
  const first = gifts.map(([sentAt, at]) => at - sentAt);
  const spread = gifts.map(([, at, last]) => last - at);
  const round = (v: number): number => Math.round(v);
  return {
    gifts: gifts.length,
    firstMsP50: round(quantile(first, 0.5)),
    firstMsP99: round(quantile(first, 0.99)),
    afterRunMsP50: round(quantile(afterRun, 0.5)),
    afterRunMsP90: round(quantile(afterRun, 0.9)),
    afterRunMsP99: round(quantile(afterRun, 0.99)),
    spreadMsP50: round(quantile(spread, 0.5)),
    spreadMsP99: round(quantile(spread, 0.99)),
  };
}

/** One line of a phase's effect times. */
export function describeEffects(phase: string, s: EffectSummary): string {
  return (
    `${phase}: ${s.gifts} gifts, the room's first socket got each ${s.firstMsP50} ms (p99 ${s.firstMsP99}) after ` +
    `its send, ${s.afterRunMsP50} ms (p90 ${s.afterRunMsP90}, p99 ${s.afterRunMsP99}) after the end of the last ` +
    `run before it; its last socket ${s.spreadMsP50} ms (p99 ${s.spreadMsP99}) after its first`
  );
}

import { pct } from './bench-kit';

/**
 * gift-service's per-run lines (SendGiftPipeline.process, at log level info): where a phase's send-to-effect time
 * goes. A line ends `... <n> gifts, ... in <ms> ms, oldest sent <ms> ms before (admit <ms>, bank <ms>, outcomes
 * <ms>, pushes <ms>, records <ms>)` (admit: since 2026-12-03, optional here); pino writes it as JSON with its time.
 */
export interface RunLine {
  /** When the run ended (epoch ms). */
  at: number;
  gifts: number;
  ms: number;
  /** How long before the run started its oldest gift was sent. */
  oldestMs: number;
  /** Decoding and checking the messages, before the bank step (0 in lines that predate it). */
  admitMs: number;
  bankMs: number;
  outcomesMs: number;
  pushesMs: number;
  recordsMs: number;
}

const RUN =
  /: (\d+) gifts, .* in (\d+) ms, oldest sent (-?\d+) ms before \((?:admit (\d+), )?bank (\d+), outcomes (\d+), pushes (\d+), records (\d+)\)$/;

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
    const [gifts, ms, oldestMs, admitMs, bankMs, outcomesMs, pushesMs, recordsMs] = m
      .slice(1)
      .map((v) => Number(v ?? 0));
    runs.push({ at: parsed.time, gifts, ms, oldestMs, admitMs, bankMs, outcomesMs, pushesMs, recordsMs });
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

/** Where a phase's send-to-effect time goes once gift-service pushes (medians unless said). */
export interface EffectSummary {
  gifts: number;
  /** Send to the first socket of the room. */
  firstMsP50: number;
  firstMsP99: number;
  /**
   * The first socket's receipt after its run's pushes began (the run's start + admit + bank + outcomes): im-router,
   * im-core writing the run's frames to every socket of its rooms, then the viewers' one thread reading them. The
   * run is the last whose pushes began before the receipt: the gift's own, unless a later run's began meanwhile
   * (runs are tens of ms apart), which only makes the tail shorter.
   */
  afterPushMsP50: number;
  afterPushMsP90: number;
  afterPushMsP99: number;
  /** The pushes step's own time in those runs (until im-router answered gift-service). */
  pushesMsP50: number;
  /** From the room's first socket to its last (the viewers read their sockets one after another). */
  spreadMsP50: number;
  spreadMsP99: number;
}

/** When a run's pushes began (epoch ms): its start, then admit, bank and outcomes (park included). */
const pushesBegan = (r: RunLine): number => r.at - r.ms + r.admitMs + r.bankMs + r.outcomesMs;

/**
 * The phase's gift effects against its runs' pushes (give the runs of the phase only); null without gifts, or
 * when no run's pushes began before a first receipt.
 */
export function summarizeEffects(gifts: readonly EffectTimes[], lines: readonly RunLine[]): EffectSummary | null {
  const began = lines.map(pushesBegan).sort((a, b) => a - b);
  const lastBefore = (t: number): number | undefined => {
    let lo = 0;
    let hi = began.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (began[mid] <= t) {
        found = began[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const afterPush = gifts.flatMap(([, first]) => {
    const at = lastBefore(first);
    return at === undefined ? [] : [first - at];
  });
  if (afterPush.length === 0) return null;
  const ms = (values: number[], q: number): number => Math.round(quantile(values, q));
  const first = gifts.map(([sentAt, at]) => at - sentAt);
  const spread = gifts.map(([, at, last]) => last - at);
  return {
    gifts: gifts.length,
    firstMsP50: ms(first, 0.5),
    firstMsP99: ms(first, 0.99),
    afterPushMsP50: ms(afterPush, 0.5),
    afterPushMsP90: ms(afterPush, 0.9),
    afterPushMsP99: ms(afterPush, 0.99),
    pushesMsP50: ms(
      lines.map((r) => r.pushesMs),
      0.5,
    ),
    spreadMsP50: ms(spread, 0.5),
    spreadMsP99: ms(spread, 0.99),
  };
}

/** One line of a phase's effect times. */
export function describeEffects(phase: string, s: EffectSummary): string {
  return (
    `${phase}: ${s.gifts} gifts, the room's first socket got each ${s.firstMsP50} ms (p99 ${s.firstMsP99}) after ` +
    `its send, ${s.afterPushMsP50} ms (p90 ${s.afterPushMsP90}, p99 ${s.afterPushMsP99}) after its run's pushes ` +
    `began (the pushes step: ${s.pushesMsP50} ms); its last socket ${s.spreadMsP50} ms (p99 ${s.spreadMsP99}) after ` +
    `its first`
  );
}

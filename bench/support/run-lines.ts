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

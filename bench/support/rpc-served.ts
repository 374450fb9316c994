/**
 * RPC calls each instance served (its internal /health report, `data.rpc.served`: calls answered since
 * it started), summed over the lifetimes of an instance that was killed and restarted (its counter
 * starts again at 0: sample just before the kill, then bank the last sample at the restart).
 */
import { HEALTH_TOKEN_HEADER } from '@live/common';
import type { Instance } from './cluster-layout';

export class RpcServed {
  private readonly banked = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly missing = new Set<string>();

  constructor(private readonly instances: Instance[]) {}

  /** The instance's counter now, or undefined when it does not answer or reports none. */
  static async read(instance: Instance): Promise<number | undefined> {
    const token = process.env.HEALTH_DETAILS_TOKEN;
    try {
      const res = await fetch(`http://127.0.0.1:${instance.http}/health`, {
        headers: token ? { [HEALTH_TOKEN_HEADER]: token } : {},
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { data?: { rpc?: { served?: unknown } } };
      const served = body.data?.rpc?.served;
      return typeof served === 'number' ? served : undefined;
    } catch {
      return undefined;
    }
  }

  /** Reads every instance with an RPC server (the ones that answer). */
  async sample(): Promise<void> {
    await Promise.all(this.instances.filter((i) => i.rpc).map((i) => this.sampleOne(i)));
  }

  async sampleOne(instance: Instance): Promise<void> {
    const n = await RpcServed.read(instance);
    if (n === undefined) return;
    this.missing.delete(instance.name);
    this.last.set(instance.name, Math.max(n, this.last.get(instance.name) ?? 0));
  }

  /** Before a kill: the last count of this lifetime. */
  async beforeKill(instance: Instance): Promise<void> {
    await this.sampleOne(instance);
  }

  /** After a restart: the previous lifetime's count is banked, the new one starts from 0. */
  restarted(instance: Instance): void {
    this.banked.set(instance.name, (this.banked.get(instance.name) ?? 0) + (this.last.get(instance.name) ?? 0));
    this.last.set(instance.name, 0);
  }

  /** Calls served by each instance over all its lifetimes; undefined for one that never reported a count. */
  totals(): Map<string, number | undefined> {
    const out = new Map<string, number | undefined>();
    for (const i of this.instances.filter((x) => x.rpc)) {
      const seen = this.last.has(i.name) || this.banked.has(i.name);
      out.set(i.name, seen ? (this.banked.get(i.name) ?? 0) + (this.last.get(i.name) ?? 0) : undefined);
    }
    return out;
  }
}

export interface ShareRow {
  instance: string;
  served: number | string;
  share: string;
  ok: boolean;
}

/**
 * Each instance's share of its service's calls. A service run twice passes when each instance served at
 * least `minShare` of the calls (and there were calls); im-core (its calls follow where the viewers are)
 * is printed, not judged.
 */
export function rpcShares(totals: Map<string, number | undefined>, minShare = 0.2): ShareRow[] {
  const byApp = new Map<string, [string, number | undefined][]>();
  for (const [name, n] of totals) {
    const app = name.split('#')[0];
    byApp.set(app, [...(byApp.get(app) ?? []), [name, n]]);
  }
  const rows: ShareRow[] = [];
  for (const [app, list] of byApp) {
    const sum = list.reduce((s, [, n]) => s + (n ?? 0), 0);
    for (const [name, n] of list) {
      const share = sum > 0 && n !== undefined ? n / sum : 0;
      const judged = app !== 'im-core';
      rows.push({
        instance: name,
        served: n ?? 'no data.rpc.served',
        share: `${(share * 100).toFixed(0)} %`,
        ok: !judged || (n !== undefined && sum > 0 && share >= minShare),
      });
    }
  }
  return rows;
}

/**
 * The audit of the cluster chaos run through bench/support/gift-audit: money, and pushes over observers
 * on all three im-core nodes (gift-audit's PushObservers talk to one WebSocket address: here one group
 * per node, their records merged with seat numbers kept apart).
 */
import type { Cluster } from 'ioredis';
import { DataSource } from 'typeorm';
import {
  AuditCheck,
  AuditedGift,
  auditGifts,
  AuditResult,
  ObservedSocket,
  ObserverSeat,
  PushObservers,
  verdict,
} from './gift-audit';

/** Seat numbers of group k start at k * SEAT_SPACE, so merged records never mix two seats. */
const SEAT_SPACE = 1_000_000;

export class NodeObservers {
  private constructor(private readonly groups: PushObservers[]) {}

  /** Seat i on node (i mod nodes.length): every room has observers on each node. */
  static async open(
    nodes: number[],
    seats: ObserverSeat[],
    token: (userId: number) => Promise<string>,
  ): Promise<NodeObservers> {
    const groups = await Promise.all(
      nodes.map((port, k) =>
        PushObservers.open({
          wsUrl: `ws://127.0.0.1:${port}/ws`,
          seats: seats.filter((_, i) => i % nodes.length === k),
          token,
          workers: 1,
        }),
      ),
    );
    return new NodeObservers(groups);
  }

  async collect(): Promise<ObservedSocket[]> {
    const parts = await Promise.all(this.groups.map((g) => g.collect()));
    return parts.flatMap((sockets, k) => sockets.map((s) => ({ ...s, seat: s.seat + k * SEAT_SPACE })));
  }

  get reopenAttempts(): number {
    return this.groups.reduce((s, g) => s + g.reopenAttempts, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.groups.map((g) => g.close()));
  }
}

/** gift-audit's auditGifts over the observers of every node, with the run's own checks in the verdict. */
export async function auditCluster(opts: {
  ds: DataSource;
  redis: Cluster;
  keyPrefix: string;
  gifts: readonly AuditedGift[];
  observers: NodeObservers;
  own: AuditCheck[];
}): Promise<AuditResult> {
  const result = await auditGifts({ ...opts, requestIdLike: ['%:c-%'] });
  return verdict([...result.checks, ...opts.own]);
}

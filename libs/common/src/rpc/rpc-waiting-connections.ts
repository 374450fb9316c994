// Who may wait for their first signed request on a listener, and who is evicted past the bounds (rpcServerSocketClass).
/** Connections of one listener still waiting for their first authenticated request (see rpcServerSocketClass). */
export const RPC_MAX_UNAUTHENTICATED_CONNECTIONS = 64;
/** The same, from one remote address. */
export const RPC_MAX_UNAUTHENTICATED_PER_ADDRESS = 8;
/** A waiting connection this young is never evicted for a newcomer from another address (the newcomer is refused). */
export const RPC_MIN_WAIT_BEFORE_EVICTION_MS = 1_000;

export interface Waiting {
  readonly address: string;
  readonly since: number;
  refuse(why: string): void;
}

/**
 * The connections of one listener still waiting for their first signed request, by remote address (see
 * rpcServerSocketClass for the rules).
 */
export class WaitingConnections<C extends Waiting> {
  private readonly byAddress = new Map<string, Set<C>>();
  private total = 0;

  /** Makes room for `conn` (closing another when over a bound) and counts it; false: refuse `conn` itself. */
  admit(conn: C): boolean {
    const mine = this.byAddress.get(conn.address) ?? new Set<C>();
    if (mine.size >= RPC_MAX_UNAUTHENTICATED_PER_ADDRESS) {
      oldestOf(mine)?.refuse(
        `evicted: more than ${RPC_MAX_UNAUTHENTICATED_PER_ADDRESS} connections from ${conn.address} waiting for their first signed request`,
      );
    } else if (this.total >= RPC_MAX_UNAUTHENTICATED_CONNECTIONS) {
      const why = `evicted: more than ${RPC_MAX_UNAUTHENTICATED_CONNECTIONS} connections waiting for their first signed request`;
      const busiest = [...this.byAddress.values()].reduce((a, b) => (b.size > a.size ? b : a));
      // Many addresses with one connection each: the oldest goes if it has had its chance (a genuine
      // caller signs within milliseconds); if none has, the newcomer is refused instead.
      const victim =
        busiest.size > 1
          ? oldestOf(busiest)
          : oldestOf(new Set([...this.byAddress.values()].flatMap((set) => [...set])));
      if (busiest.size === 1 && victim && Date.now() - victim.since < RPC_MIN_WAIT_BEFORE_EVICTION_MS) return false;
      victim?.refuse(why);
    }
    this.byAddress.set(conn.address, mine.add(conn));
    this.total += 1;
    return true;
  }

  remove(conn: C): void {
    const mine = this.byAddress.get(conn.address);
    if (mine?.delete(conn)) this.total -= 1;
    if (mine?.size === 0) this.byAddress.delete(conn.address);
  }
}

function oldestOf<C extends Waiting>(set: Set<C>): C | undefined {
  let oldest: C | undefined;
  for (const c of set) if (!oldest || c.since < oldest.since) oldest = c;
  return oldest;
}

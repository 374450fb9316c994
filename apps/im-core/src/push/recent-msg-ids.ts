/**
 * The msgIds this node wrote lately, per scope (a room, a user): at most `perScope` per scope, each for
 * `ttlMs`. A msgId seen again within that window is not written again, so a caller may push a message
 * once more (the same msgId, after a node failed) without anyone seeing it twice. Bounded: per scope by
 * count, in time by the TTL, and in scopes by `sweep`, which drops the scopes of rooms and users no
 * longer on this node. Memory: about 100 bytes per remembered msgId (1,024 per busy room).
 */
export class RecentMsgIds {
  /** Scope -> msgId -> expiry (epoch ms), oldest first (the TTL is constant, so expiries are in order). */
  private readonly scopes = new Map<string, Map<string, number>>();

  constructor(
    private readonly perScope: number,
    private readonly ttlMs: number,
  ) {}

  /** True, and remembered, the first time within the window; false when `msgId` was written to `scope` already. */
  firstTime(scope: string, msgId: string, now = Date.now()): boolean {
    let ids = this.scopes.get(scope);
    if (!ids) this.scopes.set(scope, (ids = new Map()));
    const expiry = ids.get(msgId);
    if (expiry !== undefined && expiry > now) return false;
    ids.delete(msgId);
    ids.set(msgId, now + this.ttlMs);
    if (ids.size > this.perScope) ids.delete(ids.keys().next().value as string);
    return true;
  }

  /** Forgets expired msgIds, and every scope `keep` says is gone from this node. */
  sweep(keep: (scope: string) => boolean, now = Date.now()): void {
    for (const [scope, ids] of this.scopes) {
      if (!keep(scope)) {
        this.scopes.delete(scope);
        continue;
      }
      for (const [msgId, expiry] of ids) {
        if (expiry > now) break;
        ids.delete(msgId);
      }
      if (ids.size === 0) this.scopes.delete(scope);
    }
  }

  /** Scopes remembered (for specs and health). */
  get size(): number {
    return this.scopes.size;
  }
}

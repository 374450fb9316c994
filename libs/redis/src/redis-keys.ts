import {
  balanceCacheKey,
  pkChallengerKey,
  pkStateKey,
  chatHistoryKey,
  chatMuteKey,
  imNodeRegistryKey,
  imRoomNodesKey,
  imTokenKey,
  imUserNodesKey,
  keyPart,
  logoutChannelName,
  tokenDigest,
  userNickKey,
  userSessionKey,
} from '@live/contracts';
import { createHash } from 'node:crypto';

/**
 * Redis key builders: one class per app, every key `${prefix}:<app>:...`.
 *
 * Hash-tag rule (Redis Cluster): every key carries `{<entity>:<id>}`, so the keys of one entity land
 * in one slot; keys that ONE Lua script touches together must share that tag (a user's balance and
 * no-account marker: `{user:7}`; a room's board, combos and applied markers: `{room:42}`).
 *
 * An app registers only its own builder (RedisModule.forRoot(GiftRedisKeys)). A key another app reads
 * is built by the reader its owner publishes in @live/contracts (stores/), and the owner's builder
 * delegates to that one format: the balance cache, the im-core node registry, the IM tokens.
 */

const id = keyPart;

/** The Redis key part of a signed order's signature: its SHA-256 (hex, 32 characters), whatever the caller sent. */
function orderDigest(authority: string): string {
  return createHash('sha256').update(authority).digest('hex').slice(0, 32);
}

abstract class KeyBuilder {
  protected readonly base: string;

  constructor(
    protected readonly prefix: string,
    app: string,
  ) {
    this.base = `${id(prefix, 'prefix')}:${app}`;
  }

  /** Every key of this app (for SCAN-based clean-up). */
  pattern(): string {
    return `${this.base}:*`;
  }

  /** A signed order's signature once carried out (SignedOrderReplays; a string with a TTL). */
  usedOrder(authority: string): string {
    return `${this.base}:{order:${orderDigest(authority)}}:used`;
  }
}

export class GatewayRedisKeys extends KeyBuilder {
  constructor(prefix: string) {
    super(prefix, 'gw');
  }
  loginCode(phone: string): string {
    return `${this.base}:{phone:${id(phone, 'phone')}}:login-code`;
  }
  loginCodeCooldown(phone: string): string {
    return `${this.base}:{phone:${id(phone, 'phone')}}:login-code-cooldown`;
  }
  /** Wrong login codes for one phone from one client address: hash {fails, until}. */
  loginGuesses(phone: string, address: string): string {
    return `${this.base}:{phone:${id(phone, 'phone')}}:login-guesses:${id(address, 'address')}`;
  }
  /** Wrong login codes for one phone from every address (a counter over a day). */
  loginGuessesAll(phone: string): string {
    return `${this.base}:{phone:${id(phone, 'phone')}}:login-guesses-all`;
  }
  /** Addresses that logged in to this phone (sorted set, score: last login ms; the newest 20, 90 days). */
  loginKnownAddresses(phone: string): string {
    return `${this.base}:{phone:${id(phone, 'phone')}}:login-known`;
  }
  /** A login token's session: the key holds `<userId>:<role>`; named by the token's digest, never the token. */
  userToken(token: string): string {
    return this.userSession(tokenDigest(id(token, 'token')));
  }
  /**
   * The same key by its session id (tokenDigest). A key named by the token itself (written before digests,
   * until it expires) is `userSession(token)`: the gateway reads it when the digest's key is missing.
   */
  userSession(sessionId: string): string {
    return userSessionKey(this.prefix, sessionId);
  }
  /** A user's sessions, newest last (score: when issued), at most GATEWAY_SESSIONS_PER_USER: session ids (tokens before). */
  userTokens(userId: number): string {
    return `${this.base}:{user:${id(userId, 'userId')}}:tokens`;
  }
  /** Pub/sub channel: the sessions logged out, by session id (each gateway instance drops them from its token cache). */
  logoutChannel(): string {
    return logoutChannelName(this.prefix);
  }
  /** Read by im-core through ImTokenReader (@live/contracts). */
  imToken(token: string): string {
    return imTokenKey(this.prefix, token);
  }
  rateLimit(subject: number | string, route: string): string {
    return `${this.base}:{rl:${id(subject, 'subject')}}:${id(route, 'route')}`;
  }
  /** The user's nickname, read by im-core through UserNickReader (@live/contracts). */
  userNick(userId: number): string {
    return userNickKey(this.prefix, userId);
  }
  /** A user muted in a room's chat by its anchor, read by im-core through ChatMuteReader (@live/contracts). */
  chatMute(roomId: number, userId: number): string {
    return chatMuteKey(this.prefix, roomId, userId);
  }
  /** What the user's Idempotency-Key was first used for (a fingerprint), kept 24 h: other parameters get 409. */
  idempotencyKey(userId: number, clientKey: string): string {
    return `${this.base}:{user:${id(userId, 'userId')}}:idem:${id(clientKey, 'clientKey')}`;
  }
  /** Set while a copy of a key's send was lately produced again (IdempotencyKeys.resendDue). */
  idempotencyResent(userId: number, clientKey: string): string {
    return `${this.base}:{user:${id(userId, 'userId')}}:idem-resent:${id(clientKey, 'clientKey')}`;
  }
}

export class GiftRedisKeys extends KeyBuilder {
  constructor(prefix: string) {
    super(prefix, 'gift');
  }
  giftConfig(giftId: number): string {
    return `${this.base}:{gift:${id(giftId, 'giftId')}}:config`;
  }
  giftConfigLock(giftId: number): string {
    return `${this.base}:{gift:${id(giftId, 'giftId')}}:config-lock`;
  }
  giftList(): string {
    return `${this.base}:{gift-list}:panel`;
  }
  giftListLock(): string {
    return `${this.base}:{gift-list}:panel-lock`;
  }
  roomContributionBoard(roomId: number): string {
    return `${this.base}:{room:${id(roomId, 'roomId')}}:board`;
  }
  /** The sender's last gift in the room (gift id, send time, combo): the next same gift soon after continues the combo. */
  comboState(roomId: number, senderId: number): string {
    return `${this.base}:{room:${id(roomId, 'roomId')}}:combo:${id(senderId, 'senderId')}`;
  }
  /**
   * What the consumer decided for one request id, whatever room a message names (its room, fingerprint,
   * pushed or not): ONE record per request id, so a reused id in another room finds it.
   */
  giftOutcome(requestId: string): string {
    return `${this.base}:{gift-req:${id(requestId, 'requestId')}}:outcome`;
  }
  /** The combo a charged gift got in its room, written with its board increment (so a redelivery never adds twice). */
  roomGiftApplied(roomId: number, requestId: string): string {
    return `${this.base}:{room:${id(roomId, 'roomId')}}:applied:${id(requestId, 'requestId')}`;
  }
  /** The room's PK (issue 21), in the room's slot (the gift script moves its bar); read by PkStateReader. */
  roomPk(roomId: number): string {
    return pkStateKey(this.prefix, roomId);
  }
  /** The rooms whose PK seat the user holds (a set); read by PkStateReader. */
  pkChallenger(userId: number): string {
    return pkChallengerKey(this.prefix, userId);
  }
  /** Running PKs by when their time runs out (member: roomId, score: endsAt ms): the sweeper's list. */
  pkEnds(): string {
    return `${this.base}:{pk}:ends`;
  }
}

export class BankRedisKeys extends KeyBuilder {
  constructor(prefix: string) {
    super(prefix, 'bank');
  }
  /** "version:balance", read by the gateway through BalanceCacheReader (@live/contracts). */
  balance(userId: number): string {
    return balanceCacheKey(this.prefix, userId);
  }
  noAccountMarker(userId: number): string {
    return `${this.base}:{user:${id(userId, 'userId')}}:no-account`;
  }
  payProducts(type: number): string {
    if (!Number.isSafeInteger(type) || type < 0)
      throw new Error(`redis key: product type must be an integer >= 0, got ${type}`);
    return `${this.base}:{products}:type:${type}`;
  }
}

export class ImRedisKeys extends KeyBuilder {
  constructor(prefix: string) {
    super(prefix, 'im');
  }
  /** Read by im-router and gift-service through ImPresenceReader (@live/contracts). */
  userNode(userId: number): string {
    return imUserNodesKey(this.prefix, userId);
  }
  /** Read by im-router through ImPresenceReader (@live/contracts). */
  roomNodes(roomId: number): string {
    return imRoomNodesKey(this.prefix, roomId);
  }
  /** Read by api-gateway and im-router through ImNodeRegistryReader (@live/contracts). */
  nodeRegistry(): string {
    return imNodeRegistryKey(this.prefix);
  }
  /** A room's recent chat messages (a list of ChatMessageData JSON, oldest first, at most IM_CHAT_HISTORY, with a TTL); dropped by api-gateway when the room closes (ChatHistoryDropper in @live/contracts). */
  chatHistory(roomId: number): string {
    return chatHistoryKey(this.prefix, roomId);
  }
  /** A user's chat messages in the current second (a counter with a TTL; shared by every im-core node). */
  chatRate(userId: number): string {
    return `${this.base}:{user:${id(userId, 'userId')}}:chat-rate`;
  }
}

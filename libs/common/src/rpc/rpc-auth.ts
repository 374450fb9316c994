import { createHmac, createSecretKey, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { HostSetting, Secret, validateEnv } from '../config';

/** The per-deployment key of internal RPC (every service holds the same one). */
export class RpcAuthEnv {
  /** Signs every RPC request and answer (HMAC-SHA256). Required: no code default. */
  @Secret()
  @IsString({
    message: 'RPC_AUTH_SECRET must be set: the per-deployment key that signs internal RPC (README "Internal RPC")',
  })
  @MinLength(32, { message: 'RPC_AUTH_SECRET must be at least 32 bytes' })
  RPC_AUTH_SECRET!: string;

  /** During a rotation only: a second key that is accepted, never used to sign. */
  @Secret({ optional: true })
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'RPC_AUTH_SECRET_ROTATION must be at least 32 bytes' })
  RPC_AUTH_SECRET_ROTATION?: string;
}

/** Where a service's TCP RPC listener binds (HTTP and WebSocket keep BIND_HOST). */
export class RpcServerEnv {
  @HostSetting()
  RPC_BIND_HOST: string = '127.0.0.1';
}

/** A request's timestamp may be this far from the receiver's clock (either way). */
export const RPC_MAX_CLOCK_SKEW_MS = 30_000;

const VERSION = 'LG1';
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const REQUEST_NONCE = /^([A-Za-z0-9_-]{8,32})\.(\d{1,15})$/;
const MAC_CHARS = 43; // 32 bytes, base64url
const MAX_HEADER_CHARS = 200;

export type RpcDirection = 'request' | 'answer';

/** What a received frame turned out to be. `caller` is what the frame claims (for the log), when readable. */
export type OpenedFrame =
  | { ok: true; json: string; caller: string; connection: string; seq: number; ts: number }
  | { ok: false; reason: string; caller?: string };

/**
 * The signed envelope of one RPC frame's content:
 *
 *   LG1 <caller> <ts ms> <nonce> <mac>\n<the Nest packet as JSON>
 *
 * mac = base64url(HMAC-SHA256(key, "<direction> LG1 <caller> <ts> <nonce>\n" + json)). The direction
 * ("request" / "answer") keeps a request from passing for an answer and back. A request's nonce is
 * `<connection id>.<sequence>`: the sender's random id for its connection and a counter that grows by one
 * per frame (ReplayGuard). Answers carry `-`: they are bound to their request by Nest's random packet id.
 * Opening never throws; every failure is a reason.
 */
export class RpcAuth {
  private readonly signKey: KeyObject;
  private readonly verifyKeys: KeyObject[];

  constructor(
    /** This process's name in the frames it signs (a service name). */
    readonly name: string,
    secret: string,
    rotationSecret?: string,
  ) {
    if (!NAME.test(name)) throw new Error(`RPC caller name '${name}': letters, digits, '.', '_' and '-' only (1-64)`);
    this.signKey = createSecretKey(Buffer.from(secret, 'utf8'));
    this.verifyKeys = rotationSecret
      ? [this.signKey, createSecretKey(Buffer.from(rotationSecret, 'utf8'))]
      : [this.signKey];
  }

  /** From RPC_AUTH_SECRET (and RPC_AUTH_SECRET_ROTATION); throws ConfigValidationError when missing or short. */
  static fromEnv(name: string, source: Record<string, unknown> = process.env): RpcAuth {
    const env = validateEnv(RpcAuthEnv, source);
    return new RpcAuth(name, env.RPC_AUTH_SECRET, env.RPC_AUTH_SECRET_ROTATION);
  }

  /** A fresh connection id for the nonces of one client connection. */
  static newConnectionId(): string {
    return randomBytes(12).toString('base64url');
  }

  seal(direction: RpcDirection, json: string, nonce: string, now = Date.now()): string {
    const header = `${VERSION} ${this.name} ${now} ${nonce}`;
    const mac = this.mac(this.signKey, direction, header, json).toString('base64url');
    return `${header} ${mac}\n${json}`;
  }

  open(direction: RpcDirection, content: string): OpenedFrame {
    const end = content.indexOf('\n');
    if (end < 0 || end > MAX_HEADER_CHARS) return { ok: false, reason: 'unsigned frame' };
    const parts = content.slice(0, end).split(' ');
    if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: 'unsigned frame' };
    const [, caller, tsText, nonce, macText] = parts;
    if (!NAME.test(caller) || !/^\d{1,15}$/.test(tsText) || macText.length !== MAC_CHARS)
      return { ok: false, reason: 'malformed envelope' };
    const nonceMatch = direction === 'request' ? REQUEST_NONCE.exec(nonce) : nonce === '-' ? [] : null;
    if (!nonceMatch) return { ok: false, reason: 'malformed envelope', caller };
    const json = content.slice(end + 1);
    const header = `${VERSION} ${caller} ${tsText} ${nonce}`;
    const given = Buffer.from(macText, 'base64url');
    if (
      given.length !== 32 ||
      !this.verifyKeys.some((key) => timingSafeEqual(given, this.mac(key, direction, header, json)))
    ) {
      return { ok: false, reason: 'bad signature', caller };
    }
    return {
      ok: true,
      json,
      caller,
      connection: nonceMatch[1] ?? '',
      seq: Number(nonceMatch[2] ?? 0),
      ts: Number(tsText),
    };
  }

  private mac(key: KeyObject, direction: RpcDirection, header: string, json: string): Buffer {
    return createHmac('sha256', key).update(`${direction} ${header}\n`).update(json).digest();
  }
}

/**
 * Refuses a request seen before. A request is fresh when its timestamp is within RPC_MAX_CLOCK_SKEW_MS
 * of now and not before this guard was made (a frame captured before a restart cannot be replayed
 * after it), and its sequence is above the last one accepted from its connection id (a connection
 * sends in order). A connection id is forgotten after twice the skew without traffic: by then any frame
 * of it would be refused for its timestamp. Only authenticated frames get here, so the map grows with
 * the callers' connections, never with an attacker's; `maxConnections` bounds it anyway.
 */
export class ReplayGuard {
  private readonly last = new Map<string, { seq: number; at: number }>();
  private sweptAt = 0;

  constructor(
    private readonly skewMs = RPC_MAX_CLOCK_SKEW_MS,
    private readonly maxConnections = 10_000,
    private readonly notBefore = Date.now(),
  ) {}

  /** null when fresh (and now remembered), else why it is refused. */
  check(connection: string, seq: number, ts: number, now = Date.now()): string | null {
    if (Math.abs(now - ts) > this.skewMs) return `timestamp ${now - ts} ms away from this clock`;
    if (ts < this.notBefore) return `timestamp ${this.notBefore - ts} ms before this listener started`;
    const seen = this.last.get(connection);
    if (seen && seq <= seen.seq) return 'replayed';
    if (!seen && this.sweep(now) >= this.maxConnections)
      return `more than ${this.maxConnections} caller connections remembered`;
    this.last.set(connection, { seq, at: now });
    return null;
  }

  get size(): number {
    return this.last.size;
  }

  /** Forgets idle connection ids (at most once per skew period, or when full); returns the size. */
  private sweep(now: number): number {
    if (now - this.sweptAt < this.skewMs && this.last.size < this.maxConnections) return this.last.size;
    this.sweptAt = now;
    for (const [id, { at }] of this.last) if (now - at > 2 * this.skewMs) this.last.delete(id);
    return this.last.size;
  }
}

import { BankClient, BaseErrorCode, BizException, GatewayErrorCode, RefusalLog } from '@live/common';
import { GatewayRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { imTokenValue, legacySessionToken, tokenDigest } from '@live/contracts';
import { RequestLimiter } from '@live/rate-limit';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { GatewayEnv } from '../config/api-gateway.env';
import { UserService } from '../user/user.service';
import { UserRole } from '../user/entities/user.entity';
import { AdminRights } from './admin-rights';
import { RequestUser } from './auth.types';
import { TokenCache } from './token-cache';

const LOGIN_CODE_COOLDOWN_SECONDS = 60;
/** The counters of the login codes sent in 24 h, per address and per phone (GATEWAY_LOGIN_CODES_PER_*_PER_DAY). */
const LOGIN_CODES_DAILY_ROUTE = 'LoginController.sendLoginCode.daily';

/**
 * Wrong-guess rules (README, "Login codes"). A wrong guess never burns nor changes the pending code: a
 * stranger cannot take the owner's code away. Instead each (phone, address) pair has a budget:
 * LOGIN_FREE_GUESSES wrong codes, then every further one starts a wait that doubles (1 min, 2, 4, ... up
 * to a day) during which that address's guesses for that phone are refused unchecked. Once a phone has
 * collected LOGIN_PHONE_CEILING wrong codes (from all addresses, until a week passes without one), the phone is
 * under attack: only addresses that logged in to it before (LOGIN_KNOWN_ADDRESSES, the owner's) are still
 * checked, with one free wrong guess instead of five; any other address is refused unchecked. So the guesses
 * ever compared with one phone's codes are bounded whatever the number of addresses, and the owner, from a
 * network they used before, still logs in at once.
 */
export const LOGIN_FREE_GUESSES = 5;
export const LOGIN_PHONE_CEILING = 20;
const LOGIN_BACKOFF_BASE_MS = 60_000;
const LOGIN_BACKOFF_MAX_MS = 86_400_000;
/** How long a phone's or an address's wrong guesses are remembered after the last one (and its wait). */
const LOGIN_GUESS_MEMORY_MS = 7 * 86_400_000;
/** Addresses remembered per phone after a login (the newest ones), and for how long after the last login. */
const LOGIN_KNOWN_ADDRESSES = 20;
const LOGIN_KNOWN_MEMORY_MS = 90 * 86_400_000;

/**
 * Checks a login code atomically. KEYS (all of one phone, one hash tag {phone:<phone>}: one Cluster slot): [1] code hash {code}, [2] this address's guesses {fails, until},
 * [3] the phone's wrong guesses (all addresses), [4] the addresses that logged in to the phone. ARGV:
 * guess, now (ms), free guesses, phone ceiling, backoff base and max (ms), memory (ms), the address, known
 * addresses kept, their memory (ms).
 * Returns {1, 0} right (code and this address's record deleted, the address remembered); {0, waitMs, the
 * phone's wrong guesses now} wrong; {-1, 0} no code pending; {-2, waitMs} this address must wait; {-3, 0} the phone is under attack
 * and this address never logged in to it: in both refusals the guess was not even compared.
 */
const CHECK_CODE = `
local now = tonumber(ARGV[2])
local untilMs = tonumber(redis.call('HGET', KEYS[2], 'until') or '0')
if untilMs > now then return {-2, untilMs - now} end
local attacked = tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[4])
if attacked and not redis.call('ZSCORE', KEYS[4], ARGV[8]) then return {-3, 0} end
local code = redis.call('HGET', KEYS[1], 'code')
if not code then return {-1, 0} end
if code == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZADD', KEYS[4], now, ARGV[8])
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -tonumber(ARGV[9]) - 1)
  redis.call('PEXPIRE', KEYS[4], ARGV[10])
  return {1, 0}
end
local fails = redis.call('HINCRBY', KEYS[2], 'fails', 1)
local phoneFails = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[7])
local free = tonumber(ARGV[3])
if phoneFails > tonumber(ARGV[4]) then free = 1 end
local wait = 0
if fails >= free then wait = math.min(tonumber(ARGV[5]) * 2 ^ math.min(fails - free, 30), tonumber(ARGV[6])) end
redis.call('HSET', KEYS[2], 'until', now + wait)
redis.call('PEXPIRE', KEYS[2], wait + tonumber(ARGV[7]))
return {0, wait, phoneFails}
`;

/**
 * A new code only when none is pending; otherwise the pending one again (same code, same expiry), so
 * asking again never invalidates the code the owner already has. KEYS[1] code hash; ARGV new code, TTL s.
 */
const ISSUE_CODE = `
local code = redis.call('HGET', KEYS[1], 'code')
if code then return code end
redis.call('HSET', KEYS[1], 'code', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return ARGV[1]
`;

/** Login codes, login tokens and IM tokens, all in Redis with their TTLs. */
/** The login scripts as commands (EVALSHA; the first argument is a key, so a Cluster routes them by key). */
interface LoginCommands {
  lgCheckLoginCode(
    ...args: [string, string, string, string, ...(string | number)[]]
  ): Promise<[number, number, number?]>;
  lgIssueLoginCode(codeKey: string, candidate: string, ttlSeconds: number): Promise<string>;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Wrong and refused login guesses (anyone may send them, 100 a minute per address): 20 lines per 10 s, then a count. */
  private readonly refusedGuesses = new RefusalLog(this.logger, 20, 10_000, 'refused or wrong login guesses');
  /**
   * Phones coming under a guessing attack (the guess that reached LOGIN_PHONE_CEILING: once per phone a week at
   * most): their own budget, so a flood of wrong guesses does not crowd these lines out.
   */
  private readonly attackedPhones = new RefusalLog(this.logger, 20, 10_000, 'phones that came under a guessing attack');
  private readonly redis: RedisClient & LoginCommands;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    private readonly users: UserService,
    private readonly env: GatewayEnv,
    private readonly bank: BankClient,
    private readonly tokens: TokenCache,
    private readonly admins: AdminRights,
    private readonly limiter: RequestLimiter,
  ) {
    this.redis = withScripts<LoginCommands>(redis, {
      lgCheckLoginCode: { numberOfKeys: 4, lua: CHECK_CODE },
      lgIssueLoginCode: { numberOfKeys: 1, lua: ISSUE_CODE },
    });
  }

  /**
   * The phone's login code, sent at most once a minute per phone, GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY times a
   * day to networks that never logged in to it (phoneCapRefusal), GATEWAY_LOGIN_CODES_PER_ADDRESS_PER_DAY a day per
   * asking address: a new 6-digit code when none is pending, else the pending one again (never replaced early).
   * Answered itself in development mode.
   */
  async sendLoginCode(phone: string, address: string): Promise<{ devCode?: string }> {
    // Within the minute: refused, nothing counted (an impatient owner's taps cost nothing).
    const tooFrequent = new BizException(GatewayErrorCode.LOGIN_CODE_TOO_FREQUENT);
    if ((await this.redis.exists(this.keys.loginCodeCooldown(phone))) > 0) throw tooFrequent;
    // The daily caps before the minute is taken: a refused request holds no phone's minute.
    const tooMany =
      (await this.limiter.count(`ip-${address}`, LOGIN_CODES_DAILY_ROUTE, {
        limit: this.env.GATEWAY_LOGIN_CODES_PER_ADDRESS_PER_DAY,
        seconds: 86_400,
        msg: 'too many login codes requested from this address today',
      })) ?? (await this.phoneCapRefusal(phone, address));
    if (tooMany) throw tooMany;
    const fresh = await this.redis.set(
      this.keys.loginCodeCooldown(phone),
      '1',
      'EX',
      LOGIN_CODE_COOLDOWN_SECONDS,
      'NX',
    );
    if (fresh !== 'OK') throw tooFrequent; // another request took the minute meanwhile
    const candidate = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const code = String(
      await this.redis.lgIssueLoginCode(this.keys.loginCode(phone), candidate, this.env.GATEWAY_LOGIN_CODE_TTL_SECONDS),
    );
    if (this.env.GATEWAY_DEV_LOGIN_CODE === 'true') return { devCode: code };
    this.logger.warn(
      `login code for ...${phone.slice(-4)} created, but no SMS provider is configured (GATEWAY_DEV_LOGIN_CODE=false)`,
    );
    return {};
  }

  /**
   * The phone's daily cap, counted for addresses that never logged in to it (its login-known list): a stranger
   * cannot have it texted all day, nor, by using its cap up, keep the owner's own networks from a code. As with
   * wrong guesses, a phone whose cap strangers used up gets no code on a network never used before that day.
   */
  private async phoneCapRefusal(phone: string, address: string): Promise<BizException | undefined> {
    if ((await this.redis.zscore(this.keys.loginKnownAddresses(phone), address)) !== null) return undefined;
    return this.limiter.count(`phone-${phone}`, LOGIN_CODES_DAILY_ROUTE, {
      limit: this.env.GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY,
      seconds: 86_400,
      msg: 'too many login codes sent to this phone today: ask from a network you logged in from before, or tomorrow',
    });
  }

  /**
   * Phone + code, from the client's address -> a login token (30 days); the user and their wallet are
   * created at first login. Wrong guesses are limited per (phone, address) and per phone (see CHECK_CODE).
   */
  async login(phone: string, code: string, address: string): Promise<{ userId: number; token: string }> {
    const [verdict, waitMs, phoneFails] = await this.redis.lgCheckLoginCode(
      this.keys.loginCode(phone),
      this.keys.loginGuesses(phone, address),
      this.keys.loginGuessesAll(phone),
      this.keys.loginKnownAddresses(phone),
      code,
      Date.now(),
      LOGIN_FREE_GUESSES,
      LOGIN_PHONE_CEILING,
      LOGIN_BACKOFF_BASE_MS,
      LOGIN_BACKOFF_MAX_MS,
      LOGIN_GUESS_MEMORY_MS,
      address,
      LOGIN_KNOWN_ADDRESSES,
      LOGIN_KNOWN_MEMORY_MS,
    );
    if (verdict === -2) {
      this.refusedGuesses.refused(
        `login for ...${phone.slice(-4)} from ${address} refused unchecked: waiting ${Math.ceil(waitMs / 1000)} s after wrong codes`,
      );
      throw new BizException(
        BaseErrorCode.TOO_MANY_REQUESTS,
        `too many wrong codes for this phone from your address: try again in ${Math.ceil(waitMs / 1000)} s`,
      );
    }
    if (verdict === -3) {
      this.refusedGuesses.refused(
        `login for ...${phone.slice(-4)} from ${address} refused unchecked: the phone is under a guessing attack and this address never logged in to it`,
      );
      throw new BizException(
        BaseErrorCode.TOO_MANY_REQUESTS,
        'too many wrong codes for this phone: log in from a network you used before, or try again later',
      );
    }
    if (verdict !== 1) {
      if (phoneFails === LOGIN_PHONE_CEILING)
        this.attackedPhones.refused(
          `phone ...${phone.slice(-4)} is under a guessing attack: ${LOGIN_PHONE_CEILING} wrong codes from all addresses (the last from ${address}); only networks that logged in to it before are checked now`,
        );
      if (waitMs > 0)
        this.refusedGuesses.refused(
          `wrong login code for ...${phone.slice(-4)} from ${address}: next guess from there in ${Math.ceil(waitMs / 1000)} s`,
        );
      throw new BizException(GatewayErrorCode.LOGIN_CODE_INVALID);
    }
    const user = await this.users.loginByPhone(phone, this.admins.roleOf(phone));
    await this.bank.createAccount(user.userId);
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.keys.userToken(token), `${user.userId}:${user.role}`, 'EX', this.tokenTtlSeconds());
    const loggedOut = await this.tokens.keepNewest(user.userId, tokenDigest(token), this.tokenTtlSeconds());
    this.logger.log(
      `user ${user.userId} logged in${loggedOut > 0 ? ` (${loggedOut} oldest session(s) logged out: GATEWAY_SESSIONS_PER_USER)` : ''}`,
    );
    return { userId: user.userId, token };
  }

  /** The token stops working on every gateway instance (TokenCache: theirs drop it too), and leaves the user's sessions. */
  async logout(token: string, userId?: number): Promise<void> {
    const sessionId = tokenDigest(token);
    await this.tokens.revoke(sessionId, legacySessionToken(token));
    if (userId !== undefined) await this.tokens.leaveList(userId, sessionId, legacySessionToken(token));
  }

  /** The user behind a login token, or null (unknown, expired, malformed); a token resolved lately from memory. */
  async resolveToken(token: string): Promise<RequestUser | null> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return null;
    const sessionId = tokenDigest(token);
    const cached = this.tokens.get(sessionId);
    if (cached) return cached;
    const startedAt = this.tokens.lookupStarted();
    // A session of before token digests (its key named by the token) is read until it expires.
    const legacy = legacySessionToken(token);
    const value =
      (await this.redis.get(this.keys.userSession(sessionId))) ??
      (legacy === undefined ? null : await this.redis.get(this.keys.userSession(legacy)));
    const match = value ? /^(\d+):(\d+)$/.exec(value) : null;
    if (!match) return null;
    const user = { userId: Number(match[1]), role: Number(match[2]) as UserRole };
    this.tokens.remember(sessionId, user, startedAt);
    return user;
  }

  /** A short-lived, single-use token for one WebSocket login (im-core reads and deletes the key at once). */
  async issueImToken(userId: number, loginToken = ''): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    // Bound to the login session (im-core refuses it once that session is gone, and a logout closes the sockets
    // it opened); a session of before token digests (its key named by the token) is not bound. Neither key: the
    // session logged out since the guard read it (or from another instance's cache): no token.
    const sessionId = tokenDigest(loginToken);
    const legacy = legacySessionToken(loginToken);
    const current = await this.redis.exists(this.keys.userSession(sessionId));
    // The legacy key is asked only when the digest's is missing (rare: every issued token has the legacy length).
    const old = current > 0 || legacy === undefined ? 0 : await this.redis.exists(this.keys.userSession(legacy));
    if (current === 0 && old === 0) throw new BizException(BaseErrorCode.TOKEN_ERROR, 'token is invalid or expired');
    const value = imTokenValue({ userId, sessionId: current > 0 ? sessionId : null });
    await this.redis.set(this.keys.imToken(token), value, 'EX', this.env.GATEWAY_IM_TOKEN_TTL_SECONDS);
    return token;
  }

  tokenTtlSeconds(): number {
    return this.env.GATEWAY_TOKEN_TTL_DAYS * 86_400;
  }
}

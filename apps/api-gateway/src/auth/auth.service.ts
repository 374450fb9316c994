import { BizException, GatewayErrorCode } from '@live/common';
import { BANK_SERVICE, BankRpc } from '@live/contracts';
import { GatewayRedisKeys, InjectRedis } from '@live/redis';
import { rpcCall } from '@live/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { randomBytes, randomInt } from 'node:crypto';
import { GatewayEnv } from '../config/api-gateway.env';
import { UserRole } from '../user/entities/user.entity';
import { UserService } from '../user/user.service';
import { RequestUser } from './auth.types';

export const LOGIN_CODE_COOLDOWN_SECONDS = 60;
/** Wrong guesses allowed per code before it is burnt. */
export const LOGIN_CODE_MAX_ATTEMPTS = 5;

/**
 * Checks a login code atomically: right -> deleted and returned 1; wrong -> attempts counted, the code
 * burnt after the last allowed one, 0; absent -> -1. KEYS[1] code hash {code, attempts}.
 */
const CHECK_CODE = `
local code = redis.call('HGET', KEYS[1], 'code')
if not code then return -1 end
if code == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
if redis.call('HINCRBY', KEYS[1], 'attempts', 1) >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return 0
`;

/** Login codes, login tokens and IM tokens, all in Redis with their TTLs. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly adminPhones: Set<string>;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: GatewayRedisKeys,
    private readonly users: UserService,
    private readonly env: GatewayEnv,
    @Inject(BANK_SERVICE) private readonly bank: ClientProxy,
  ) {
    this.adminPhones = new Set(env.GATEWAY_ADMIN_PHONES.split(',').map((p) => p.trim()).filter(Boolean));
  }

  /** A new 6-digit code, at most one a minute per phone; answered itself in development mode. */
  async sendLoginCode(phone: string): Promise<{ devCode?: string }> {
    const fresh = await this.redis.set(this.keys.loginCodeCooldown(phone), '1', 'EX', LOGIN_CODE_COOLDOWN_SECONDS, 'NX');
    if (fresh !== 'OK') throw new BizException(GatewayErrorCode.LOGIN_CODE_TOO_FREQUENT);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const key = this.keys.loginCode(phone);
    await this.redis.multi().del(key).hset(key, 'code', code, 'attempts', 0).expire(key, this.env.GATEWAY_LOGIN_CODE_TTL_SECONDS).exec();
    if (this.env.GATEWAY_DEV_LOGIN_CODE === 'true') return { devCode: code };
    this.logger.warn(`login code for ...${phone.slice(-4)} created, but no SMS provider is configured (GATEWAY_DEV_LOGIN_CODE=false)`);
    return {};
  }

  /** Phone + code -> a login token (30 days); the user and their wallet are created at first login. */
  async login(phone: string, code: string): Promise<{ userId: number; token: string }> {
    const verdict = Number(await this.redis.eval(CHECK_CODE, 1, this.keys.loginCode(phone), code, LOGIN_CODE_MAX_ATTEMPTS));
    if (verdict !== 1) throw new BizException(GatewayErrorCode.LOGIN_CODE_INVALID);
    const user = await this.users.loginByPhone(phone, this.adminPhones.has(phone) ? UserRole.ADMIN : UserRole.USER);
    await rpcCall(this.bank, BankRpc.CREATE_ACCOUNT, { userId: user.userId }, this.env.GATEWAY_RPC_TIMEOUT_MS);
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.keys.userToken(token), `${user.userId}:${user.role}`, 'EX', this.tokenTtlSeconds());
    this.logger.log(`user ${user.userId} logged in`);
    return { userId: user.userId, token };
  }

  async logout(token: string): Promise<void> {
    await this.redis.del(this.keys.userToken(token));
  }

  /** The user behind a login token, or null (unknown, expired, malformed). */
  async resolveToken(token: string): Promise<RequestUser | null> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return null;
    const value = await this.redis.get(this.keys.userToken(token));
    const match = value ? /^(\d+):(\d+)$/.exec(value) : null;
    if (!match) return null;
    return { userId: Number(match[1]), role: Number(match[2]) as UserRole };
  }

  /** A short-lived, single-use token for one WebSocket login (im-core reads and deletes the key at once). */
  async issueImToken(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.keys.imToken(token), String(userId), 'EX', this.env.GATEWAY_IM_TOKEN_TTL_SECONDS);
    return token;
  }

  tokenTtlSeconds(): number {
    return this.env.GATEWAY_TOKEN_TTL_DAYS * 86_400;
  }
}

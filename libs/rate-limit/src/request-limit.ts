import { BaseErrorCode, BizException, clientAddress } from '@live/common';
import { InjectRedis, RedisClient, withScripts } from '@live/redis';
import {
  applyDecorators,
  CanActivate,
  DynamicModule,
  ExecutionContext,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

export interface RequestLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length. */
  seconds: number;
  /** Message of the -10001 error. */
  msg?: string;
  /**
   * A second, longer window for what a burst limit alone leaves unbounded (each call writes a row: a room, a PK):
   * counted only for calls the first window let through, so a flood refused by it does not use this one up.
   */
  longer?: { limit: number; seconds: number; msg: string };
}

/** Metadata key of @RequestLimit (its options): the gateway's OpenAPI document reads it to list the 429 answer. */
export const REQUEST_LIMIT = Symbol('REQUEST_LIMIT');

/** Where the counters live: the key of one subject (user id or `ip-<address>`) on one route. */
export interface RateLimitKeys {
  rateLimit(subject: number | string, route: string): string;
}

const RATE_LIMIT_KEYS = Symbol('RATE_LIMIT_KEYS');

/**
 * At most `limit` calls of this route per user (or client IP before login) every `seconds`. With
 * `countedBy: 'handler'` no guard counts: the handler calls RequestLimiter.count itself (with the same
 * options), to count in the same Redis round trip as its own commands.
 */
export function RequestLimit(
  options: RequestLimitOptions,
  countedBy: 'guard' | 'handler' = 'guard',
): MethodDecorator & ClassDecorator {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1)
    throw new Error('RequestLimit: limit must be an integer >= 1');
  if (!Number.isSafeInteger(options.seconds) || options.seconds < 1)
    throw new Error('RequestLimit: seconds must be an integer >= 1');
  const { longer } = options;
  if (
    longer &&
    !(Number.isSafeInteger(longer.limit) && longer.limit >= options.limit && longer.seconds > options.seconds)
  )
    throw new Error('RequestLimit: a longer window allows at least `limit` calls over more than `seconds`');
  const metadata = SetMetadata(REQUEST_LIMIT, options);
  return countedBy === 'guard' ? applyDecorators(metadata, UseGuards(RequestLimitGuard)) : metadata;
}

/**
 * Counts in ONE script: INCR, and EXPIRE when the counter is new (or lost its TTL), so there is no
 * read-then-write race and no counter that never expires.
 */
const INCR_WITH_TTL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

interface LimitedRequest {
  user?: { userId?: number };
  ip?: string;
}

interface IncrWithTtl {
  lgIncrWithTtl(key: string, seconds: number): Promise<number>;
}

/**
 * Counts one call of a route by a subject (user id or `ip-<address>`). Redis unreachable: fail OPEN (the
 * call passes, an error is logged). The limiter protects the system from floods, it is not what keeps
 * money right (settlement is); refusing every request while Redis restarts would take the whole room down
 * for a cache outage.
 */
@Injectable()
export class RequestLimiter {
  private readonly logger = new Logger(RequestLimiter.name);
  private readonly redis: RedisClient & IncrWithTtl;

  constructor(
    @InjectRedis() redis: RedisClient,
    @Inject(RATE_LIMIT_KEYS) private readonly keys: RateLimitKeys,
  ) {
    this.redis = withScripts<IncrWithTtl>(redis, { lgIncrWithTtl: { numberOfKeys: 1, lua: INCR_WITH_TTL } });
  }

  /**
   * Counts the call; the -10001 error to throw when it is one too many, else undefined. Returns without
   * throwing, so a caller can count in the same Redis round trip as its own commands and decide after.
   */
  async count(
    subject: number | string,
    route: string,
    options: RequestLimitOptions,
  ): Promise<BizException | undefined> {
    const refused = await this.countIn(subject, route, options);
    if (refused || !options.longer) return refused;
    return this.countIn(subject, `${route}:${options.longer.seconds}s`, options.longer);
  }

  private async countIn(
    subject: number | string,
    route: string,
    window: { limit: number; seconds: number; msg?: string },
  ): Promise<BizException | undefined> {
    let count: number;
    try {
      count = Number(await this.redis.lgIncrWithTtl(this.keys.rateLimit(subject, route), window.seconds));
    } catch (err: unknown) {
      this.logger.error(`rate limit not checked (Redis unavailable), request let through: ${String(err)}`);
      return undefined;
    }
    return count > window.limit ? new BizException(BaseErrorCode.TOO_MANY_REQUESTS, window.msg) : undefined;
  }
}

/** The limit of a route as @RequestLimit states it (the OpenAPI document lists its 429), counted by its guard. */
@Injectable()
class RequestLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RequestLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<RequestLimitOptions | undefined>(REQUEST_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options) return true;
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const subject = request.user?.userId ?? `ip-${clientAddress(request.ip)}`;
    const refused = await this.limiter.count(
      subject,
      `${context.getClass().name}.${context.getHandler().name}`,
      options,
    );
    if (refused) throw refused;
    return true;
  }
}

/**
 * Gives @RequestLimit its key builder, once per app (global): `RateLimitModule.forRoot(GatewayRedisKeys)`
 * uses the app's registered builder (RedisModule.forRoot of the same class).
 */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(keys: new (...args: never[]) => RateLimitKeys): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RATE_LIMIT_KEYS, useExisting: keys }, RequestLimiter],
      exports: [RATE_LIMIT_KEYS, RequestLimiter],
    };
  }
}

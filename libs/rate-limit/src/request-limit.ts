import { BaseErrorCode, BizException, clientAddress } from '@live/common';
import { InjectRedis, RedisClient, withScripts } from '@live/redis';
import {
  applyDecorators,
  CallHandler,
  CanActivate,
  DynamicModule,
  ExecutionContext,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  NestInterceptor,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { concatMap, Observable } from 'rxjs';

export interface RequestLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length. */
  seconds: number;
  /** Message of the -10001 error. */
  msg?: string;
  /**
   * A second, longer window for what a burst limit alone leaves unbounded (a call that succeeds writes a row
   * kept for good: a room, a PK): it counts the calls that **succeeded** (answered without an error), so failed
   * attempts (a seat taken, a bad body) and calls refused by either window use nothing of it. Checked before
   * the burst window (a call it refuses takes no burst slot); calls running at once may each pass the check
   * before any is counted, so it may be exceeded by as many calls as the burst window lets run at once.
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
 * At most `limit` calls of this route per user (or client IP before login) every `seconds` (and, with `longer`,
 * at most `longer.limit` successful calls every `longer.seconds`). With `countedBy: 'handler'` no guard counts:
 * the handler calls RequestLimiter.count itself (with the same options), to count in the same Redis round trip
 * as its own commands (no `longer` then).
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
    !(
      Number.isSafeInteger(longer.limit) &&
      Number.isSafeInteger(longer.seconds) &&
      longer.limit >= options.limit &&
      longer.seconds > options.seconds
    )
  )
    throw new Error('RequestLimit: a longer window allows at least `limit` calls over more than `seconds`');
  if (longer && countedBy === 'handler') throw new Error('RequestLimit: a longer window is counted by the guard');
  const metadata = SetMetadata(REQUEST_LIMIT, options);
  if (countedBy === 'handler') return metadata;
  return longer
    ? applyDecorators(metadata, UseGuards(RequestLimitGuard), UseInterceptors(SuccessCounter))
    : applyDecorators(metadata, UseGuards(RequestLimitGuard));
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
    const count = await this.failOpen(() =>
      this.redis.lgIncrWithTtl(this.keys.rateLimit(subject, route), options.seconds),
    );
    return count > options.limit ? new BizException(BaseErrorCode.TOO_MANY_REQUESTS, options.msg) : undefined;
  }

  /** The route's longer window, read only: the -10001 error when its successful calls reached its limit. */
  async longerWindowFull(
    subject: number | string,
    route: string,
    longer: NonNullable<RequestLimitOptions['longer']>,
  ): Promise<BizException | undefined> {
    const count = await this.failOpen(() => this.redis.get(this.keys.rateLimit(subject, longerRoute(route, longer))));
    return count >= longer.limit ? new BizException(BaseErrorCode.TOO_MANY_REQUESTS, longer.msg) : undefined;
  }

  /** Counts a successful call in the route's longer window (Redis unavailable: logged, not counted). */
  async countSuccess(
    subject: number | string,
    route: string,
    longer: NonNullable<RequestLimitOptions['longer']>,
  ): Promise<void> {
    await this.failOpen(() =>
      this.redis.lgIncrWithTtl(this.keys.rateLimit(subject, longerRoute(route, longer)), longer.seconds),
    );
  }

  /** A counter's value (none: 0); Redis unavailable: 0, so the call passes (fail open), with an error logged. */
  private async failOpen(read: () => Promise<number | string | null>): Promise<number> {
    try {
      return Number((await read()) ?? 0);
    } catch (err: unknown) {
      this.logger.error(`rate limit not checked (Redis unavailable), request let through: ${String(err)}`);
      return 0;
    }
  }
}

/** The longer window's counter: its own key beside the route's (`Class.method:3600s`). */
const longerRoute = (route: string, longer: { seconds: number }): string => `${route}:${longer.seconds}s`;

/** Who a limit counts (the user; before login the client's address) and the route, as the guard and counter see them. */
function limitedCall(context: ExecutionContext): { subject: number | string; route: string } {
  const request = context.switchToHttp().getRequest<LimitedRequest>();
  return {
    subject: request.user?.userId ?? `ip-${clientAddress(request.ip)}`,
    route: `${context.getClass().name}.${context.getHandler().name}`,
  };
}

function limitOf(reflector: Reflector, context: ExecutionContext): RequestLimitOptions | undefined {
  return reflector.getAllAndOverride<RequestLimitOptions | undefined>(REQUEST_LIMIT, [
    context.getHandler(),
    context.getClass(),
  ]);
}

/** The limit of a route as @RequestLimit states it (the OpenAPI document lists its 429), counted by its guard. */
@Injectable()
class RequestLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RequestLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = limitOf(this.reflector, context);
    if (!options) return true;
    const { subject, route } = limitedCall(context);
    const full = options.longer && (await this.limiter.longerWindowFull(subject, route, options.longer));
    if (full) throw full;
    const refused = await this.limiter.count(subject, route, options);
    if (refused) throw refused;
    return true;
  }
}

/** Counts a call of a route with a longer window once it succeeded (its handler returned without an error). */
@Injectable()
class SuccessCounter implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RequestLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const longer = limitOf(this.reflector, context)?.longer;
    if (!longer) return next.handle();
    const { subject, route } = limitedCall(context);
    return next
      .handle()
      .pipe(concatMap(async (answer) => (await this.limiter.countSuccess(subject, route, longer), answer)));
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

import { configProvider, HealthIndicator, waitFor, withDeadline } from '@live/common';
import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Provider,
} from '@nestjs/common';
import { dataNodes } from './multi-key';
import {
  createRedisClient,
  describeRedisTarget,
  RedisClient,
  redisVersionOf,
  redisVersionProblem,
} from './redis-client';
import { RedisEnv } from './redis.env';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);

/** How long one start-up PING may take before it counts as a failed attempt. */
const PING_DEADLINE_MS = 3_000;
const noAnswerIn = (): Error => new Error(`no answer in ${PING_DEADLINE_MS} ms`);

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  constructor(@InjectRedis() private readonly redis: RedisClient) {}
  async check(): Promise<void> {
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  }
}

/**
 * Start-up waits until Redis answers (backoff up to the start-up deadline), then refuses a server older than
 * MIN_REDIS_VERSION at once (its commands would fail on every send, unseen by /health); at shutdown, quits.
 */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly env: RedisEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    // A Cluster queues commands while it cannot reach any node: each attempt gets a deadline of its own.
    await waitFor(describeRedisTarget(this.env), () => withDeadline(this.redis.ping(), PING_DEADLINE_MS, noAnswerIn), {
      // A wrong password or ACL user is not mended by waiting.
      isFatal: (err) => /NOAUTH|WRONGPASS|NOPERM/.test(err instanceof Error ? err.message : ''),
    });
    const problem = await this.versionProblem();
    if (problem) throw new Error(`${describeRedisTarget(this.env)}: ${problem}`);
  }

  /**
   * Why a server is too old (each master of a Cluster), or undefined. One whose version cannot be read (INFO
   * denied by an ACL, no answer in time, a proxy hiding it) is not judged: a warning says it was not checked.
   */
  private async versionProblem(): Promise<string | undefined> {
    for (const server of dataNodes(this.redis)) {
      const info = await withDeadline(server.info('server'), PING_DEADLINE_MS, noAnswerIn).catch((err: unknown) =>
        String(err),
      );
      if (redisVersionOf(info) === undefined) {
        this.logger.warn(
          `${describeRedisTarget(this.env)}: Redis version not checked (INFO server: ${info.slice(0, 80)})`,
        );
        continue;
      }
      const problem = redisVersionProblem(info);
      if (problem) return problem;
    }
    return undefined;
  }
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A store reader another app's owner publishes in @live/contracts (BalanceCacheReader, ImTokenReader...). */
export type StoreReaderClass = new (redis: RedisClient, prefix: string) => object;

/** The provider of a store reader on this app's client and REDIS_KEY_PREFIX. */
export function storeReaderProvider(cls: StoreReaderClass): Provider {
  return {
    provide: cls,
    useFactory: (redis: RedisClient, env: RedisEnv) => new cls(redis, env.REDIS_KEY_PREFIX),
    inject: [REDIS_CLIENT, RedisEnv],
  };
}

/** A key builder class of @live/redis (GatewayRedisKeys, GiftRedisKeys...), built on REDIS_KEY_PREFIX. */
export type KeyBuilderClass = new (prefix: string) => object;

/**
 * Global: the client (REDIS_CLIENT), the health indicator and the key builders of the app's OWN keys
 * (`RedisModule.forRoot(BankRedisKeys)`). Another app's keys are read through the reader its owner
 * publishes in @live/contracts, never through its builder.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(...ownKeys: KeyBuilderClass[]): DynamicModule {
    const keyBuilders = ownKeys.map((cls) => ({
      provide: cls,
      useFactory: (env: RedisEnv) => new cls(env.REDIS_KEY_PREFIX),
      inject: [RedisEnv],
    }));
    return {
      module: RedisModule,
      providers: [
        configProvider(RedisEnv),
        { provide: REDIS_CLIENT, useFactory: (env: RedisEnv) => createRedisClient(env), inject: [RedisEnv] },
        RedisHealthIndicator,
        RedisLifecycle,
        ...keyBuilders,
      ],
      exports: [REDIS_CLIENT, RedisEnv, RedisHealthIndicator, ...keyBuilders.map((k) => k.provide)],
    };
  }
}

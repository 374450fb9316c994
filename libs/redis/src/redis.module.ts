import { configProvider, HealthIndicator, waitFor } from '@live/common';
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
import { Redis } from 'ioredis';
import { RedisEnv } from './redis.env';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);

/** One ioredis client per process; logs each change of state once, not every retry. */
export function createRedisClient(env: RedisEnv, logger = new Logger('Redis')): Redis {
  const client = new Redis({
    host: env.REDIS_HOST,
    port: env.REDIS_PORT,
    password: env.REDIS_PASSWORD,
    db: env.REDIS_DB,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // Commands issued in the same tick (many concurrent requests) leave in one write: under load the
    // socket writes, not Redis, were the gateway's biggest cost.
    enableAutoPipelining: true,
  });
  let state = 'connecting';
  const to = (next: string, log: () => void): void => {
    if (state !== next) log();
    state = next;
  };
  client.on('ready', () =>
    to('ready', () => logger.log(`connected to ${env.REDIS_HOST}:${env.REDIS_PORT} db ${env.REDIS_DB}`)),
  );
  client.on('error', (err: Error) =>
    to('error', () => logger.error(`redis ${env.REDIS_HOST}:${env.REDIS_PORT}: ${err.message}`)),
  );
  client.on('reconnecting', () => to('reconnecting', () => logger.warn('reconnecting')));
  return client;
}

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  constructor(@InjectRedis() private readonly redis: Redis) {}
  async check(): Promise<void> {
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  }
}

/** Start-up waits until Redis answers (backoff up to the start-up deadline); at shutdown, quits. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly env: RedisEnv,
  ) {}

  async onModuleInit(): Promise<void> {
    await waitFor(`Redis at ${this.env.REDIS_HOST}:${this.env.REDIS_PORT}`, () => this.redis.ping(), {
      // A wrong password or ACL user is not mended by waiting.
      isFatal: (err) => /NOAUTH|WRONGPASS|NOPERM/.test(err instanceof Error ? err.message : ''),
    });
  }
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A store reader another app's owner publishes in @live/contracts (BalanceCacheReader, ImTokenReader...). */
export type StoreReaderClass = new (redis: Redis, prefix: string) => object;

/** The provider of a store reader on this app's client and REDIS_KEY_PREFIX. */
export function storeReaderProvider(cls: StoreReaderClass): Provider {
  return {
    provide: cls,
    useFactory: (redis: Redis, env: RedisEnv) => new cls(redis, env.REDIS_KEY_PREFIX),
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

import { startApp } from '@live/common';
import { KafkaConsumerGroup, KafkaTopic } from '@live/contracts';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  TestDatabase,
  TestKafka,
  TestRedis,
  uniqueName,
} from '@live/testing';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiGatewayModule } from '../../apps/api-gateway/src/api-gateway.module';
import { configureGateway } from '../../apps/api-gateway/src/api-gateway.setup';
import { BankServiceModule } from '../../apps/bank-service/src/bank-service.module';
import { GiftCacheInvalidationConsumer } from '../../apps/gift-service/src/gift-config/gift-cache-invalidation.consumer';
import { GiftServiceModule } from '../../apps/gift-service/src/gift-service.module';
import { SendGiftConsumer } from '../../apps/gift-service/src/send-gift/send-gift.consumer';
import { ImCoreModule } from '../../apps/im-core/src/im-core.module';
import { ImRouterModule } from '../../apps/im-router/src/im-router.module';
import { PushLog, startRecordingImRouter } from './recording-im-router';

/**
 * The fixed ports of the scaled-out infrastructure the specs start (scripts/redis-cluster: 27001-27006 and
 * their cluster bus 28001-28006; scripts/kafka-cluster: brokers from 29092, controllers 100 above): never
 * handed out to a stack (a spec file running beside the Redis Cluster's once failed with EADDRINUSE 28005).
 */
const RESERVED_PORTS = { from: 27_000, to: 29_299 };

/** Jest workers whose port blocks never meet (more workers share: --maxWorkers=2 in npm test). */
const PORT_PARTITIONS = 8;
/** Blocks this process handed out lately: not handed out again while a spec may still hold them. */
const recentBlocks: number[] = [];

/**
 * Free ports for one stack: a random block of 20, from this Jest worker's share of the range (blocks i with
 * i % PORT_PARTITIONS = worker), so spec files running at once in two workers never pick the same block (a pure
 * random pick once gave im-batch the port rpc-spread's bank-service held: EADDRINUSE), and not one of the last
 * 16 this process handed out (two stacks of one spec file).
 */
export function portBlock(size = 20): number[] {
  const worker = (Number(process.env.JEST_WORKER_ID ?? 1) - 1) % PORT_PARTITIONS;
  // Below the ephemeral range (32768+), where outgoing connections take their local ports.
  for (;;) {
    const index = Math.floor(Math.random() * 600);
    const base = 20_000 + index * 20;
    if (index % PORT_PARTITIONS !== worker || recentBlocks.includes(base)) continue;
    if (base + size - 1 < RESERVED_PORTS.from || base > RESERVED_PORTS.to) {
      recentBlocks.push(base);
      if (recentBlocks.length > 16) recentBlocks.shift();
      return Array.from({ length: size }, (_, i) => base + i);
    }
  }
}

export interface TestStackOptions {
  /** Extra environment for every app. */
  env?: Record<string, string>;
  /** Real im-router + one im-core node (WebSocket at `wsUrl`) instead of the recording router. */
  realIm?: boolean;
}

export interface TestStack {
  db: TestDatabase;
  redis: TestRedis;
  kafka: TestKafka;
  topicPrefix: string;
  ports: { gatewayHttp: number; bankRpc: number; giftRpc: number; router: number; imRpc: number };
  gateway: INestApplication;
  bank: INestApplication;
  gift: INestApplication;
  /** The recording stand-in of im-router (pushes it was asked for); null with realIm. */
  pushes: PushLog | null;
  /** The im-core node's WebSocket address (realIm). */
  wsUrl: string | null;
  /** The im-core node (realIm): its per-connection state, for specs that check what a socket left behind. */
  imCore: INestApplication | null;
  baseUrl: string;
  /** A query on the stack's database (its rows: numbers of BIGINT columns and DECIMALs may come as strings). */
  sql<T = Record<string, string>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * bank-service, gift-service (consumer running) and api-gateway booted through their production
 * bootstrap in this process, on real MariaDB (a throwaway database), Redis (a throwaway prefix) and
 * Kafka (throwaway topics behind KAFKA_TOPIC_PREFIX), with a recording im-router or (realIm) the real
 * im-router and one im-core node.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const [gatewayHttp, bankRpc, bankHttp, giftRpc, giftHttp, router, routerHttp, imWs, imRpc] = portBlock();
  const db = await createTestDatabase();
  const redis = await createTestRedis();
  const kafka = createTestKafka({ clientId: 'stack-it' });
  const topicPrefix = `${uniqueName('stack')}.`;
  kafka.track({
    topics: Object.values(KafkaTopic).map((t) => topicPrefix + t),
    groups: [topicPrefix + KafkaConsumerGroup.GIFT_SEND_GIFT],
  });
  Object.assign(process.env, {
    DB_NAME: db.name,
    REDIS_KEY_PREFIX: redis.prefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'warn',
    BANK_RPC_PORT: String(bankRpc),
    GIFT_RPC_PORT: String(giftRpc),
    IM_ROUTER_RPC_PORT: String(router),
    GIFT_INSTANCE_ID: uniqueName('gift'),
    IM_CORE_NODE_ID: uniqueName('im'),
    IM_CORE_WS_PORT: String(imWs),
    IM_CORE_RPC_PORT: String(imRpc),
    IM_CORE_ADVERTISED_HOST: '127.0.0.1',
    // The web client's CSP lets the page open the stack's im-core node (a port of its own, not 8090).
    GATEWAY_WEB_WS_ORIGINS: `ws://127.0.0.1:${imWs}`,
    ...options.env,
  });
  const boot = (
    app: string,
    module: Type<unknown> | DynamicModule,
    http: number,
    rpc?: number,
    configure?: (a: NestFastifyApplication) => Promise<void>,
  ) =>
    startApp({
      app,
      module,
      http: { host: '127.0.0.1', port: http },
      rpc: rpc ? { host: '127.0.0.1', port: rpc } : undefined,
      configure,
    });
  const imApps: { close(): Promise<void> }[] = [];
  let pushes: PushLog | null = null;
  let imCore: INestApplication | null = null;
  if (options.realIm) {
    imCore = await boot('im-core', ImCoreModule, imWs, imRpc);
    imApps.push(imCore);
    imApps.push(await boot('im-router', ImRouterModule, routerHttp, router));
  } else {
    const routerApp = await startRecordingImRouter(router);
    pushes = routerApp.get(PushLog);
    imApps.push(routerApp);
  }
  const bank = await boot('bank-service', BankServiceModule, bankHttp, bankRpc);
  const gift = await boot('gift-service', GiftServiceModule, giftHttp, giftRpc);
  await gift.get(SendGiftConsumer).waitForAssignment();
  await gift.get(GiftCacheInvalidationConsumer).waitForAssignment();
  const gateway = await boot('api-gateway', ApiGatewayModule.register(), gatewayHttp, undefined, configureGateway);
  return {
    db,
    redis,
    kafka,
    topicPrefix,
    ports: { gatewayHttp, bankRpc, giftRpc, router, imRpc },
    gateway,
    bank,
    gift,
    pushes,
    wsUrl: options.realIm ? `ws://127.0.0.1:${imWs}/ws` : null,
    imCore,
    baseUrl: `http://127.0.0.1:${gatewayHttp}`,
    sql: (query, params = []) => db.dataSource.query(query, params),
    async close() {
      await gateway.close();
      await gift.close();
      await bank.close();
      for (const app of imApps.reverse()) await app.close();
      await kafka.cleanup();
      await redis.cleanup();
      await db.drop();
    },
  };
}

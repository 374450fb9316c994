import { configProvider } from '@live/common';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { KAFKA, KAFKA_CONNECTION, KAFKA_PRODUCER_OPTIONS } from './kafka.constants';
import { createKafkaClient, KafkaConnection } from './kafka-client.factory';
import { KafkaHealthIndicator } from './kafka-health.indicator';
import { KafkaProducerOptions, KafkaProducerService } from './kafka-producer.service';
import { TopicSpec, withReplication } from './kafka-topics.util';
import { KafkaEnv, parseBrokers } from './kafka.env';
import { KafkaNames } from './kafka-names';

export interface KafkaModuleOptions {
  /** The app's name: the client id unless KAFKA_CLIENT_ID says otherwise. */
  clientId: string;
  /**
   * Topics to create at start-up when missing (e.g. KAFKA_TOPIC_SPECS from @live/contracts), replicated
   * as KafkaEnv says (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS).
   */
  topics?: readonly TopicSpec[];
  producer?: Omit<KafkaProducerOptions, 'topics' | 'names'>;
}

/**
 * Kafka for one app, global: the kafkajs client (token KAFKA, log through the Nest Logger at WARN and
 * above), KafkaNames (topic/group names behind KAFKA_TOPIC_PREFIX), KafkaProducerService (connected at
 * start), KafkaHealthIndicator. Settings: KafkaEnv.
 * Consumers are built by the app with BatchConsumer and the injected client.
 */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        configProvider(KafkaEnv),
        {
          provide: KAFKA_CONNECTION,
          inject: [KafkaEnv],
          useFactory: (env: KafkaEnv): KafkaConnection => ({
            brokers: parseBrokers(env.KAFKA_BROKERS),
            clientId: env.KAFKA_CLIENT_ID ?? options.clientId,
          }),
        },
        {
          provide: KAFKA,
          inject: [KAFKA_CONNECTION],
          useFactory: (connection: KafkaConnection): Kafka => {
            new Logger('KafkaModule').log(`kafka ${connection.brokers.join(',')} as ${connection.clientId}`);
            return createKafkaClient(connection);
          },
        },
        {
          provide: KafkaNames,
          inject: [KafkaEnv],
          useFactory: (env: KafkaEnv) => new KafkaNames(env.KAFKA_TOPIC_PREFIX),
        },
        {
          provide: KAFKA_PRODUCER_OPTIONS,
          inject: [KafkaNames, KafkaEnv],
          useFactory: (names: KafkaNames, env: KafkaEnv): KafkaProducerOptions => ({
            lingerMs: env.KAFKA_LINGER_MS,
            ...options.producer,
            names,
            topics: withReplication(names.topicSpecs(options.topics ?? []), {
              replicationFactor: env.KAFKA_REPLICATION_FACTOR,
              minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
            }),
          }),
        },
        KafkaProducerService,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA, KAFKA_CONNECTION, KafkaEnv, KafkaNames, KafkaProducerService, KafkaHealthIndicator],
    };
  }
}

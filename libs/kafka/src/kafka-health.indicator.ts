import { HealthIndicator, withDeadline } from '@live/common';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { KAFKA_CONNECTION } from './kafka.constants';
import { createKafkaClient, KafkaConnection } from './kafka-client.factory';

export const KAFKA_HEALTH_TIMEOUT_MS = 2_500;

/**
 * `kafka` in /health: asks the cluster to describe itself (a metadata request) within 2.5 s.
 * Uses a client of its own without retries and with short timeouts, so a dead broker is reported
 * at once and never leaves retries running behind a timed-out probe; its log is silent (the probe's
 * answer is the report).
 */
@Injectable()
export class KafkaHealthIndicator implements HealthIndicator, OnApplicationShutdown {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private admin: Admin | null = null;

  constructor(@Inject(KAFKA_CONNECTION) connection: KafkaConnection) {
    this.kafka = createKafkaClient({
      clientId: `${connection.clientId}-health`,
      brokers: connection.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
    });
  }

  async check(): Promise<void> {
    try {
      await withDeadline(
        this.describe(),
        KAFKA_HEALTH_TIMEOUT_MS,
        () => new Error(`no answer from kafka in ${KAFKA_HEALTH_TIMEOUT_MS} ms`),
      );
    } catch (err: unknown) {
      await this.reset();
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private async describe(): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
    }
    const cluster = await this.admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('kafka cluster has no brokers');
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}

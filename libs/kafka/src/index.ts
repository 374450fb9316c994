export * from './kafka.env';
export * from './kafka.constants';
export * from './kafka-client.factory';
export * from './kafka-topics.util';
export * from './kafka-producer.service';
export * from './kafka-health.indicator';
export * from './kafka-batch.consumer';
export * from './kafka.module';

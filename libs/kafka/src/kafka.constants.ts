import { Inject } from '@nestjs/common';

/** The kafkajs `Kafka` client of the app. */
export const KAFKA = Symbol('KAFKA');
/** The resolved KafkaConnection (brokers + client id). */
export const KAFKA_CONNECTION = Symbol('KAFKA_CONNECTION');
/** The KafkaProducerOptions of KafkaProducerService. */
export const KAFKA_PRODUCER_OPTIONS = Symbol('KAFKA_PRODUCER_OPTIONS');

/** `constructor(@InjectKafka() private readonly kafka: Kafka)` */
export const InjectKafka = (): ParameterDecorator & PropertyDecorator => Inject(KAFKA);

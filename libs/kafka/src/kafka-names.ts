import { TopicSpec } from './kafka-topics.util';

/**
 * The names this app uses on the cluster: the contracts' topic and group names behind KAFKA_TOPIC_PREFIX.
 * Every topic a producer writes and every group a consumer joins goes through here.
 */
export class KafkaNames {
  constructor(readonly prefix: string = '') {}

  topic(name: string): string {
    return `${this.prefix}${name}`;
  }

  group(groupId: string): string {
    return `${this.prefix}${groupId}`;
  }

  topicSpecs(specs: readonly TopicSpec[]): TopicSpec[] {
    return specs.map((spec) => ({ ...spec, topic: this.topic(spec.topic) }));
  }
}

// Integration specs talk to real MySQL/MariaDB, Redis and Kafka: allow for broker rebalances and migrations.
jest.setTimeout(120_000);

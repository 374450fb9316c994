export * from './redis.env';
export * from './redis-client';
export * from './redis-keys';
export * from './redis-scripts';
export * from './multi-key';
export * from './redis.module';
export * from './signed-order-replays';

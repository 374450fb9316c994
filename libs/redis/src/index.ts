export * from './redis.env';
export * from './redis-keys';
export * from './redis-scripts';
export * from './redis.module';

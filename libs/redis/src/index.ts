export * from './redis.env';
export * from './redis-keys';
export * from './redis.module';

export * from './redis.env';
export * from './redis-keys';
export * from './redis.module';
export * from './cluster-slot';

export * from './names';
export * from './database';
export * from './redis';
export * from './kafka';
export * from './signed-gift';
export * from './fake-kafka';

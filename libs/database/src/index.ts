export * from './database.env';
export * from './bigint.transformer';
export * from './time-columns';
export * from './data-source-options';
export * from './ensure-database';
export * from './database.module';
export * from './migrations';
export * from './app-accounts';

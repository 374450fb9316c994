export * from './gift-config.dto';
export * from './gift-record.dto';
export * from './gift-history.dto';
export * from './pk.dto';

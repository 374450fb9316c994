export * from './gift-config.dto';
export * from './gift-record.dto';

export * from './rpc-call';
export * from './rpc-clients.module';
export * from './rpc-clients';

export * from './rpc-call';

// rpcCall stays inside: the typed clients (typed-clients.ts) are the only callers of the transport.
export * from './rpc-clients.module';
export * from './rpc-clients';
export * from './rpc-addresses';
export * from './rpc-balancer';
export * from './typed-clients';
export * from './rpc-auth';
export * from './rpc-auth-socket';
export * from './rpc-transport';

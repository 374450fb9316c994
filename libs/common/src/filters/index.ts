export * from './http-exception.filter';
export * from './rpc-exception.filter';

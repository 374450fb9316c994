export * from './start-app';
export { edgeHeaders } from './http-edges';
export * from './wait-for';
export * from './http-connections';
export * from './shutdown-deadline';

export * from './start-app';
export * from './wait-for';
export * from './http-connections';
export * from './shutdown-deadline';

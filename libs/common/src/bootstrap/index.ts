export * from './start-app';
export * from './wait-for';
export * from './http-connections';

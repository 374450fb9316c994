export * from './start-app';
export * from './wait-for';

export * from './validate-env';
export * from './published-values';
export * from './settings';

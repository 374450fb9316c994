export * from './error-code';
export * from './base-error-code';
export * from './app-error-codes';
export * from './biz.exception';
export * from './error-assert';
export * from './outage';

export * from './request-limit';

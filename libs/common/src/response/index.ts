export * from './api-response';

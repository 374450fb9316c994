export * from './gift-order-keys';

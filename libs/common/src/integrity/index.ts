export * from './gift-order-keys';
export * from './bank-order-keys';

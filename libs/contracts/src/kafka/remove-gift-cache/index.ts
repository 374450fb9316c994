export * from './remove-gift-cache.key';
export * from './remove-gift-cache.value';

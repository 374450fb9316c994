export * from './canonical';
export * from './gift-request.fingerprint';
export * from './send-gift.signature';

export * from './canonical';
export * from './gift-request.fingerprint';
export * from './send-gift.signature';
export * from './bank-order.signature';
export * from './order.signature';
export * from './catalogue-order.signature';

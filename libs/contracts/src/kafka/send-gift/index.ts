export * from './gift-count';
export * from './send-gift.key';
export * from './send-gift.value';
export * from './sent-gift';

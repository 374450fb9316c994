export * from './topics';
export * from './topic-messages';
export * from './decode-message';
export * from './send-gift';
export * from './remove-gift-cache';
export * from './parked';

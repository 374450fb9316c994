export * from './parked-message.value';

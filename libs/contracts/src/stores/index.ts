export * from './store-key';
export * from './living-room.reader';
export * from './balance-cache.reader';
export * from './im-presence.reader';
export * from './im-token.reader';
export * from './user-chat.readers';
export * from './pk-state.reader';
export * from './chat-history.store';

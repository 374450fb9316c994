export * from './im-frame.dto';
export * from './gift-push-data.dto';
export * from './biz-data';
export * from './chat-data.dto';
export * from './pk-push-data.dto';

export * from './im-frame.dto';
export * from './gift-push-data.dto';
export * from './biz-data';

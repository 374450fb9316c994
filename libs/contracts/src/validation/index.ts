export * from './field.decorators';
export * from './validate-payload';
export * from './compiled-checker';
export * from './text-rules';
export * from './text-fold';

export * from './field.decorators';
export * from './validate-payload';
export * from './compiled-checker';

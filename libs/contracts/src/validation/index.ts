export * from './field.decorators';
export * from './validate-payload';

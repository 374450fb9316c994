export * from './logging.module';
export * from './cut-text';

export * from './validation.pipe';
export * from './to-int.decorator';
export * from './body-schema';
export * from './keyset-cursor';
export * from './body-depth';

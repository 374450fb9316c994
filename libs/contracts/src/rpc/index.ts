export * from './patterns';
export * from './client-tokens';
export * from './dto';

export * from './patterns';
export * from './client-tokens';
export * from './contract';
export * from './dto';

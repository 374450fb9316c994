export * from './common';
export * from './bank';
export * from './gift';
export * from './im';

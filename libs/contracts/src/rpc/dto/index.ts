export * from './common';
export * from './bank';
export * from './gift';
export * from './im';
export * from './signed-order.dto';

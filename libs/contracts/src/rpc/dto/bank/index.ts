export * from './account.dto';
export * from './trade.dto';
export * from './gift-settlement.dto';
export * from './recharge.dto';
export * from './account-status.dto';
export * from './withdrawal.dto';
export * from './bank-order.dto';
export * from './gift-refusals';

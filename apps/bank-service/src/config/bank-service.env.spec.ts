import { validateEnv } from '@live/common';
import { BankServiceEnv } from './bank-service.env';

describe('BankServiceEnv: the withdrawal settings', () => {
  const base = { BANK_PAY_SECRET: 'a-test-secret-of-enough-length' };

  it('defaults: a minimum of 100 coins, a 30% fee', () => {
    const env = validateEnv(BankServiceEnv, base);
    expect([env.BANK_WITHDRAW_MIN, env.BANK_WITHDRAW_FEE_BPS]).toEqual([100, 3000]);
  });

  it('takes a fee of 0..10000 basis points and a minimum of 1 or more', () => {
    const env = validateEnv(BankServiceEnv, { ...base, BANK_WITHDRAW_MIN: '1', BANK_WITHDRAW_FEE_BPS: '10000' });
    expect([env.BANK_WITHDRAW_MIN, env.BANK_WITHDRAW_FEE_BPS]).toEqual([1, 10_000]);
    expect(validateEnv(BankServiceEnv, { ...base, BANK_WITHDRAW_FEE_BPS: '0' }).BANK_WITHDRAW_FEE_BPS).toBe(0);
  });

  it.each([
    ['BANK_WITHDRAW_FEE_BPS', '10001'],
    ['BANK_WITHDRAW_FEE_BPS', '-1'],
    ['BANK_WITHDRAW_FEE_BPS', '30%'],
    ['BANK_WITHDRAW_MIN', '0'],
    ['BANK_WITHDRAW_MIN', '1.5'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => validateEnv(BankServiceEnv, { ...base, [name]: value })).toThrow(name);
  });
});

import { BankErrorCode, BaseErrorCode } from './index';
import { BizException } from './biz.exception';
import { ErrorAssert } from './error-assert';

function caught(fn: () => void): BizException {
  try {
    fn();
  } catch (err) {
    if (err instanceof BizException) return err;
    throw err;
  }
  throw new Error('expected a BizException, nothing was thrown');
}

describe('ErrorAssert', () => {
  describe('isNotNull', () => {
    it.each([0, '', false, [], {}])('passes %p (present, even if falsy)', (v) => {
      expect(() => ErrorAssert.isNotNull(v)).not.toThrow();
    });

    it.each([null, undefined])('throws PARAM_ERROR for %p by default', (v) => {
      const e = caught(() => ErrorAssert.isNotNull(v));
      expect(e.code).toBe(100001);
      expect(e.httpStatus).toBe(400);
      expect(e.message).toBe('bad parameter');
    });

    it('throws the given code and message', () => {
      const e = caught(() => ErrorAssert.isNotNull(null, BankErrorCode.ACCOUNT_NOT_FOUND, 'no account for user 7'));
      expect(e.code).toBe(BankErrorCode.ACCOUNT_NOT_FOUND.code);
      expect(e.message).toBe('no account for user 7');
    });
  });

  describe('isNotBlank', () => {
    it('passes a non-blank string', () => {
      expect(() => ErrorAssert.isNotBlank(' a ')).not.toThrow();
    });

    it.each(['', '   ', '\t\n', null, undefined, 5, {}])('throws for %p', (v) => {
      expect(caught(() => ErrorAssert.isNotBlank(v)).code).toBe(BaseErrorCode.PARAM_ERROR.code);
    });
  });

  describe('isTrue', () => {
    it('passes true', () => {
      expect(() => ErrorAssert.isTrue(1 < 2)).not.toThrow();
    });

    it('throws for false with the code given', () => {
      const e = caught(() => ErrorAssert.isTrue(false, BankErrorCode.INSUFFICIENT_BALANCE));
      expect(e.code).toBe(12001);
      expect(e.httpStatus).toBe(402);
      expect(e.message).toBe('insufficient balance');
    });
  });
});

describe('BizException payload round trip', () => {
  it('crosses an RPC boundary as a plain object and comes back equal', () => {
    const original = new BizException(BankErrorCode.INSUFFICIENT_BALANCE, 'balance 3 < price 5');
    const payload = JSON.parse(JSON.stringify(original.toPayload()));
    expect(payload).toEqual({ type: 'biz-error', code: 12001, msg: 'balance 3 < price 5', httpStatus: 402 });
    const back = BizException.fromPayload(payload);
    expect(back).toBeInstanceOf(BizException);
    expect([back.code, back.message, back.httpStatus]).toEqual([12001, 'balance 3 < price 5', 402]);
  });
});

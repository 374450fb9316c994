import { validatePayload } from '../../../validation';
import { SetAccountStatusRequest } from './account-status.dto';
import { RejectWithdrawalRequest, WITHDRAWAL_REASON_MAX_LENGTH } from './withdrawal.dto';

/** bank-service's own check of the reasons admins give (the gateway checks them too, with the same rule). */
describe('reasons: a rejected withdrawal and a freeze', () => {
  /** A well-formed signature field (this checks the form only; bank-service checks the signature). */
  const authority = `v2.k1.1800000000000.${'n'.repeat(16)}.${'A'.repeat(43)}`;
  const reject = (reason: unknown) =>
    validatePayload(RejectWithdrawalRequest, { withdrawalId: 7, adminId: 1, reason, authority });
  const freeze = (reason: unknown) =>
    validatePayload(SetAccountStatusRequest, { userId: 7, adminId: 1, reason, authority });

  it.each(['   ', '\t\n', '', 5, null])('refuses %j (blank, empty or not text) for both', (reason) => {
    expect(reject(reason).ok).toBe(false);
    expect(freeze(reason).ok).toBe(false);
  });

  it.each(['\u200B', '\u3164', ' \uFEFF\u2800 '])(
    'refuses %j (nothing visible: only invisible characters) for both',
    (reason) => {
      expect(reject(reason)).toEqual({ ok: false, error: expect.stringMatching(/reason must not be blank/) });
      expect(freeze(reason).ok).toBe(false);
    },
  );

  it('refuses a lone surrogate and a noncharacter, naming them', () => {
    expect(reject('fraud\ud800')).toEqual({
      ok: false,
      error: expect.stringMatching(/reason must not contain a lone surrogate/),
    });
    expect(reject('fraud\uFFFF')).toEqual({
      ok: false,
      error: expect.stringMatching(/reason must not contain a noncharacter/),
    });
    expect(freeze('fraud\ud800').ok).toBe(false);
  });

  it.each(['payout account not verified', 'line one\nline two', '안녕하세요', 'café 👩‍💻'])('accepts %j', (reason) => {
    expect(reject(reason).ok).toBe(true);
    expect(freeze(reason).ok).toBe(true);
  });

  it('accepts text with a non-blank character, up to each maximum', () => {
    expect(reject(' duplicate ').ok).toBe(true);
    expect(reject('x'.repeat(WITHDRAWAL_REASON_MAX_LENGTH)).ok).toBe(true);
    expect(reject('x'.repeat(WITHDRAWAL_REASON_MAX_LENGTH + 1)).ok).toBe(false);
    expect(freeze('x'.repeat(200)).ok).toBe(true);
    expect(freeze('x'.repeat(201)).ok).toBe(false);
  });
});

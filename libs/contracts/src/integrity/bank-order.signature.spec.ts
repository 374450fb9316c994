import { BankRpc } from '../rpc/patterns';
import { BANK_ORDER_MAX_SKEW_MS, BankOrderPattern, signBankOrder, verifyBankOrder } from './bank-order.signature';

describe('bank orders: api-gateway signature (signBankOrder / verifyBankOrder)', () => {
  const key = { id: 'k1', secret: 'a-signing-secret-of-at-least-32-bytes-000' };
  const keys = new Map([[key.id, key.secret]]);
  const now = 1_800_000_000_000;
  const order = { userId: 7, adminId: 1, reason: 'card reported stolen' };
  const signed = signBankOrder(BankRpc.FREEZE_ACCOUNT, order, key, now);

  it('verifies the order it signed, under its pattern, within the skew either way', () => {
    expect(signed.authority).toMatch(/^v2\.k1\.1800000000000\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    // A new nonce each time: the same order signed twice in one millisecond is two signatures.
    expect(signBankOrder(BankRpc.FREEZE_ACCOUNT, order, key, now).authority).not.toBe(signed.authority);
    expect(verifyBankOrder(BankRpc.FREEZE_ACCOUNT, signed, keys, now)).toEqual({ ok: true, keyId: 'k1' });
    for (const at of [now - BANK_ORDER_MAX_SKEW_MS, now + BANK_ORDER_MAX_SKEW_MS])
      expect(verifyBankOrder(BankRpc.FREEZE_ACCOUNT, signed, keys, at).ok).toBe(true);
    // Field order does not matter (the fields are signed sorted by name); undefined fields are left out.
    const reordered = { reason: signed.reason, authority: signed.authority, adminId: 1, userId: 7, extra: undefined };
    expect(verifyBankOrder(BankRpc.FREEZE_ACCOUNT, reordered, keys, now).ok).toBe(true);
  });

  it('refuses another pattern, any changed, added or missing field, another key, a stale time, a malformed or missing signature', () => {
    const reasonOf = (o: Record<string, unknown>, pattern: BankOrderPattern = BankRpc.FREEZE_ACCOUNT, at = now) => {
      const check = verifyBankOrder(pattern, o, keys, at);
      return check.ok ? 'ok' : check.reason;
    };
    const mismatch = 'signature does not match (key id k1)';
    expect(reasonOf(signed, BankRpc.UNFREEZE_ACCOUNT)).toBe(mismatch);
    expect(reasonOf({ ...signed, userId: 8 })).toBe(mismatch);
    expect(reasonOf({ ...signed, userId: '7' })).toBe(mismatch);
    expect(reasonOf({ ...signed, amount: 1 })).toBe(mismatch);
    const { reason: _dropped, ...withoutReason } = signed;
    expect(reasonOf(withoutReason)).toBe(mismatch);
    const forged = signBankOrder(
      BankRpc.FREEZE_ACCOUNT,
      order,
      {
        id: 'k1',
        secret: 'another-secret-of-at-least-32-bytes-0000',
      },
      now,
    );
    expect(reasonOf(forged)).toBe(mismatch);
    expect(reasonOf(signBankOrder(BankRpc.FREEZE_ACCOUNT, order, { ...key, id: 'k2' }, now))).toBe(
      'signature under an unknown key id "k2"',
    );
    expect(reasonOf(signed, BankRpc.FREEZE_ACCOUNT, now + BANK_ORDER_MAX_SKEW_MS + 1)).toMatch(
      /^signed at 1800000000000, more than/,
    );
    expect(reasonOf(signed, BankRpc.FREEZE_ACCOUNT, now - BANK_ORDER_MAX_SKEW_MS - 1)).toMatch(/^signed at/);
    // The time is part of what is signed: moved forward, it no longer matches.
    expect(reasonOf({ ...signed, authority: signed.authority.replace('.1800000000000.', '.1800000000001.') })).toBe(
      mismatch,
    );
    // The nonce is signed too.
    const [v, id, at, nonce, mac] = signed.authority.split('.');
    const otherNonce = `${nonce[0] === 'A' ? 'B' : 'A'}${nonce.slice(1)}`;
    expect(reasonOf({ ...signed, authority: [v, id, at, otherNonce, mac].join('.') })).toBe(mismatch);
    // Another spelling of the same MAC (the last character's two spare bits) is not taken: one signature, one text.
    const last = mac[42];
    const sibling = 'AEIMQUYcgkosw048'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;
    expect(Buffer.from(mac.slice(0, 42) + sibling, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(sibling).not.toBe(last);
    expect(reasonOf({ ...signed, authority: [v, id, at, nonce, mac.slice(0, 42) + sibling].join('.') })).toBe(
      'signature malformed',
    );
    // v1 (no nonce) is no longer taken.
    expect(reasonOf({ ...signed, authority: ['v1', id, at, mac].join('.') })).toBe('signature malformed');
    expect(reasonOf({ ...signed, authority: 'v2.k1.1800000000000.short' })).toBe('signature malformed');
    expect(reasonOf({ ...signed, authority: 42 })).toBe('signature malformed');
    expect(reasonOf(order)).toBe('signature missing');
  });
});

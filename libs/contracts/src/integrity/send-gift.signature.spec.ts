import { SendGiftMq, SendGiftType } from '../kafka/send-gift';
import { sampleSendGift } from '../kafka/send-gift/send-gift.spec-data';
import { decodeMessage, encodeMessage } from '../kafka/decode-message';
import { parseSigningKeys, signSendGift, SIGNING_KEYS_SPEC_PATTERN, verifySendGift } from './send-gift.signature';

const current = { id: 'k2', secret: 'k2-secret-of-at-least-thirty-two-bytes!!' };
const previous = { id: 'k1', secret: 'k1-secret-of-at-least-thirty-two-bytes!!' };
const keys = new Map([
  [current.id, current.secret],
  [previous.id, previous.secret],
]);
const unsigned = sampleSendGift();

describe('send_gift signatures', () => {
  it('a message signed with the current key verifies, after the trip through Kafka (encode, decode)', () => {
    const signed = signSendGift(unsigned, current);
    expect(signed.sigKeyId).toBe('k2');
    expect(signed.sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const decoded = decodeMessage(SendGiftMq, encodeMessage(signed));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(verifySendGift(decoded.value, keys)).toEqual({ ok: true, keyId: 'k2' });
  });

  it('the field order of the object does not matter; every field is covered', () => {
    const signed = signSendGift(unsigned, current);
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as SendGiftMq;
    expect(verifySendGift(reordered, keys).ok).toBe(true);
    const changes: Partial<SendGiftMq>[] = [
      { userId: 102 },
      { giftId: 8 },
      { giftName: 'Castle' },
      { price: 1 },
      { receiverId: 203 },
      { roomId: 3004 },
      { url: 'https://evil.example/x.svga' },
      { requestId: '101:tap-2' },
      { type: SendGiftType.PK },
      { sendTime: 1_764_000_000_001 },
    ];
    for (const change of changes) {
      expect([change, verifySendGift({ ...signed, ...change }, keys)]).toEqual([
        change,
        { ok: false, reason: 'signature does not match (key id k2)' },
      ]);
    }
  });

  it('a count other than 1 is signed: it cannot be changed or taken off; count 1 signs as a message without one', () => {
    const three = signSendGift({ ...unsigned, count: 3 }, current);
    expect(three.count).toBe(3);
    const decoded = decodeMessage(SendGiftMq, encodeMessage(three));
    expect(decoded.ok && verifySendGift(decoded.value, keys)).toEqual({ ok: true, keyId: 'k2' });
    const { count: _dropped, ...withoutCount } = three;
    for (const forged of [{ ...three, count: 4 }, { ...three, count: 1 }, withoutCount])
      expect(verifySendGift(forged, keys)).toEqual({ ok: false, reason: 'signature does not match (key id k2)' });
    // An older producer's message (no count) and a new one's single gift are the same bytes signed.
    const old = signSendGift(unsigned, current);
    expect(old).not.toHaveProperty('count');
    expect(signSendGift({ ...unsigned, count: 1 }, current).sig).toBe(old.sig);
    expect(verifySendGift({ ...old, count: 1 }, keys).ok).toBe(true);
    expect(verifySendGift({ ...old, count: 2 }, keys).ok).toBe(false);
  });

  it('a count outside 1..999 or not an integer does not decode', () => {
    for (const count of [0, 1000, 1.5, '3', null]) {
      const decoded = decodeMessage(SendGiftMq, encodeMessage({ ...signSendGift(unsigned, current), count }));
      expect([count, decoded.ok]).toEqual([count, count === null]);
    }
  });

  it('a message signed with the previous key still verifies while that key is accepted (rotation)', () => {
    expect(verifySendGift(signSendGift(unsigned, previous), keys)).toEqual({ ok: true, keyId: 'k1' });
    expect(verifySendGift(signSendGift(unsigned, previous), new Map([[current.id, current.secret]]))).toEqual({
      ok: false,
      reason: 'signature under an unknown key id "k1"',
    });
  });

  it('missing, malformed, forged, or under another key id: refused with the reason', () => {
    const signed = signSendGift(unsigned, current);
    expect(verifySendGift({ ...unsigned }, keys)).toEqual({ ok: false, reason: 'signature missing' });
    expect(verifySendGift({ ...signed, sigKeyId: undefined }, keys)).toEqual({
      ok: false,
      reason: 'signature missing',
    });
    expect(verifySendGift({ ...signed, sig: 'AAAA' }, keys)).toEqual({ ok: false, reason: 'signature malformed' });
    // Signed with a secret nobody configured, under a known id: does not match.
    const forged = signSendGift(unsigned, { id: 'k2', secret: 'attacker-guess-attacker-guess-attacker!!' });
    expect(verifySendGift(forged, keys)).toEqual({ ok: false, reason: 'signature does not match (key id k2)' });
    // The signature of k2 presented as k1's.
    expect(verifySendGift({ ...signed, sigKeyId: 'k1' }, keys)).toEqual({
      ok: false,
      reason: 'signature does not match (key id k1)',
    });
    expect(verifySendGift({ ...signed, sigKeyId: 'nope' }, keys)).toEqual({
      ok: false,
      reason: 'signature under an unknown key id "nope"',
    });
  });

  it('signing an already signed message replaces its signature', () => {
    const resigned = signSendGift({ ...signSendGift(unsigned, previous) }, current);
    expect(verifySendGift(resigned, keys)).toEqual({ ok: true, keyId: 'k2' });
  });
});

describe('parseSigningKeys', () => {
  it('reads id:secret pairs (a secret may hold a colon)', () => {
    const spec = `${previous.id}:${previous.secret},${current.id}:${current.secret}:with-colon`;
    expect(SIGNING_KEYS_SPEC_PATTERN.test(spec)).toBe(true);
    expect(parseSigningKeys(spec)).toEqual(
      new Map([
        ['k1', previous.secret],
        ['k2', `${current.secret}:with-colon`],
      ]),
    );
  });

  it('refuses a short secret, a bad id, a duplicate id, without echoing a secret', () => {
    expect(() => parseSigningKeys('k1:short')).toThrow('the secret of key k1 is shorter than 32 bytes');
    expect(() => parseSigningKeys(`bad id:${current.secret}`)).toThrow(/is not id:secret/);
    expect(() => parseSigningKeys(current.secret)).toThrow(/is not id:secret/);
    expect(() => parseSigningKeys(`k1:${current.secret},k1:${previous.secret}`)).toThrow('key id k1 is given twice');
    expect(SIGNING_KEYS_SPEC_PATTERN.test('k1:short')).toBe(false);
    expect(SIGNING_KEYS_SPEC_PATTERN.test('')).toBe(false);
  });
});

import { SendGiftType } from '../kafka/send-gift';
import { sampleSendGift } from '../kafka/send-gift/send-gift.spec-data';
import { pkIdOf, pkStepOf, roomOfPkId } from '../rpc/dto/gift/pk.dto';
import { giftRequestFingerprint } from './gift-request.fingerprint';
import { signSendGift, verifySendGift } from './send-gift.signature';

const key = { id: 'k2', secret: 'k2-secret-of-at-least-thirty-two-bytes!!' };
const keys = new Map([[key.id, key.secret]]);

describe('PK gifts (issue 21): the bar rule, the pkId, its signature and fingerprint', () => {
  it('the step is ceil(amount / coins per point), at most the max step (10 coins a point, 10 at most)', () => {
    const step = (amount: number) => pkStepOf(amount, 10, 10);
    expect([1, 5, 10, 11, 52, 99, 100, 101, 199, 520, 52 * 999].map(step)).toEqual([
      1, 1, 1, 2, 6, 10, 10, 10, 10, 10, 10,
    ]);
    expect(pkStepOf(52, 1, 50)).toBe(50);
    expect(pkStepOf(7, 3, 10)).toBe(3);
  });

  it('a pkId names its room; anything else names none', () => {
    expect(pkIdOf(42, 7)).toBe('pk-42-7');
    expect(roomOfPkId('pk-42-7')).toBe(42);
    for (const bad of ['pk-0-1', 'pk-42-0', 'pk-42', 'pk-42-7-1', 'PK-42-7', 'pk-4x-1', ''])
      expect(roomOfPkId(bad)).toBeNull();
  });

  it('a pkId is signed (v4): taken off, changed or added to another message, the signature fails', () => {
    const pk = sampleSendGift({ type: SendGiftType.PK, pkId: 'pk-3003-5' });
    const signed = signSendGift(pk, key);
    expect(verifySendGift(signed, keys).ok).toBe(true);
    expect(verifySendGift({ ...signed, pkId: 'pk-3003-6' }, keys).ok).toBe(false);
    const { pkId: _dropped, ...withoutPk } = signed;
    expect(verifySendGift(withoutPk, keys).ok).toBe(false);
    const plain = signSendGift(sampleSendGift(), key);
    expect(verifySendGift({ ...plain, pkId: 'pk-3003-5' }, keys).ok).toBe(false);
    // A count and a pkId together: both covered.
    const counted = signSendGift({ ...pk, count: 3 }, key);
    expect(verifySendGift(counted, keys).ok).toBe(true);
    expect(verifySendGift({ ...counted, count: 4 }, keys).ok).toBe(false);
  });

  it('a message without a pkId signs and fingerprints exactly as before PKs', () => {
    const before = signSendGift(sampleSendGift(), key);
    expect(signSendGift({ ...sampleSendGift(), pkId: undefined }, key).sig).toBe(before.sig);
    const p = { giftId: 1, price: 5, roomId: 3, receiverId: 4 };
    expect(giftRequestFingerprint({ ...p, pkId: undefined })).toBe(giftRequestFingerprint(p));
  });

  it('the pkId is part of the fingerprint: the same request id in another PK (or none) is something else', () => {
    const p = { giftId: 1, price: 5, roomId: 3, receiverId: 4 };
    const inPk = giftRequestFingerprint({ ...p, pkId: 'pk-3-1' });
    expect(inPk).not.toBe(giftRequestFingerprint(p));
    expect(inPk).not.toBe(giftRequestFingerprint({ ...p, pkId: 'pk-3-2' }));
    expect(inPk).toBe(giftRequestFingerprint({ ...p, count: 1, pkId: 'pk-3-1' }));
  });
});

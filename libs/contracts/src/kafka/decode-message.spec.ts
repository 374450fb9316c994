import { decodeMessage, encodeMessage } from './decode-message';
import { RemoveGiftCacheMq } from './remove-gift-cache';
import { SendGiftMq, sendGiftKey } from './send-gift';
import { sampleSendGift } from './send-gift/send-gift.spec-data';

const good = sampleSendGift({ requestId: 'c0ffee00-1111-4222-8333-444455556666' });

function decodeWith(patch: Record<string, unknown>) {
  return decodeMessage(SendGiftMq, encodeMessage({ ...good, ...patch }));
}

function expectRejected(result: ReturnType<typeof decodeMessage>, pattern: RegExp): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatch(pattern);
}

describe('decodeMessage', () => {
  it('decodes a good message from a Buffer into an instance of the value class', () => {
    const result = decodeMessage(SendGiftMq, Buffer.from(JSON.stringify(good)));
    expect(result).toEqual({ ok: true, value: expect.any(SendGiftMq) });
    if (result.ok) expect({ ...result.value }).toEqual(good);
  });

  it('decodes from a string too', () => {
    expect(decodeMessage(RemoveGiftCacheMq, '{"giftId":9}')).toEqual({
      ok: true,
      value: Object.assign(new RemoveGiftCacheMq(), { giftId: 9 }),
    });
  });

  it.each([
    ['null value (tombstone)', null],
    ['undefined', undefined],
    ['empty buffer', Buffer.alloc(0)],
    ['empty string', ''],
  ])('rejects an empty message: %s', (_, raw) => {
    expectRejected(decodeMessage(SendGiftMq, raw), /SendGiftMq: empty message/);
  });

  it('rejects bad JSON without throwing', () => {
    expectRejected(decodeMessage(SendGiftMq, Buffer.from('{"userId": 1,')), /SendGiftMq: not JSON/);
    expectRejected(decodeMessage(SendGiftMq, Buffer.from([0xff, 0xfe, 0x00])), /not JSON/);
  });

  it.each([
    ['null', 'null', /null/],
    ['an array', '[1,2]', /an array/],
    ['a number', '42', /number/],
    ['a string', '"hello"', /string/],
  ])('rejects JSON that is not an object: %s', (_, raw, why) => {
    expectRejected(decodeMessage(SendGiftMq, raw), why);
  });

  it('rejects a missing field, naming it', () => {
    const { price: _price, ...withoutPrice } = good;
    expectRejected(decodeMessage(SendGiftMq, JSON.stringify(withoutPrice)), /price: /);
  });

  it('rejects a negative or zero price', () => {
    expectRejected(decodeWith({ price: -50 }), /price: price must not be less than 1/);
    expectRejected(decodeWith({ price: 0 }), /price: /);
  });

  it('rejects non-integers, numeric strings and unsafe integers', () => {
    expectRejected(decodeWith({ price: 1.5 }), /price: price must be an integer/);
    expectRejected(decodeWith({ userId: '101' }), /userId: /);
    expectRejected(decodeWith({ roomId: 2 ** 53 }), /roomId: roomId must not be greater than 9007199254740991/);
    expectRejected(decodeWith({ sendTime: -1 }), /sendTime: /);
  });

  it('rejects a bad request id (empty, too long, characters outside [A-Za-z0-9_-:.])', () => {
    expectRejected(decodeWith({ requestId: '' }), /requestId: /);
    expectRejected(decodeWith({ requestId: 'x'.repeat(65) }), /requestId: /);
    expectRejected(decodeWith({ requestId: 'a b' }), /requestId: requestId must be 1..64 characters/);
    expect(decodeWith({ requestId: 'x'.repeat(64) }).ok).toBe(true);
    expect(decodeWith({ requestId: 'pay:PO1.a_b-c' }).ok).toBe(true);
  });

  it('rejects an unknown gift type', () => {
    expectRejected(decodeWith({ type: 9 }), /type: /);
  });

  it('lists every problem, not the first only', () => {
    const result = decodeWith({ price: -1, userId: 0, url: 5 });
    expect(result.ok).toBe(false);
    if (!result.ok) for (const field of ['userId: ', 'price: ', 'url: ']) expect(result.error).toContain(field);
  });

  it('accepts extra fields and drops them (a newer producer may add fields)', () => {
    const result = decodeWith({ comboId: 'abc', nested: { a: 1 } });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).not.toHaveProperty('comboId');
      expect(result.value).not.toHaveProperty('nested');
      expect({ ...result.value }).toEqual(good);
    }
  });

  it('is not fooled by a __proto__ key', () => {
    const result = decodeMessage(SendGiftMq, `{"__proto__":{"polluted":true},${JSON.stringify(good).slice(1)}`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toBeInstanceOf(SendGiftMq);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sendGiftKey', () => {
  it('is the sender id, so one sender keeps one partition', () => {
    expect(sendGiftKey({ userId: 101 })).toBe('101');
  });
});

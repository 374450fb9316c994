import { validatePayload } from '../../../validation';
import { BatchConsumeForSendGiftRequest, GiftSettlementItem, MAX_GIFT_SETTLEMENT_BATCH } from './gift-settlement.dto';

function item(n: number): Record<string, unknown> {
  const signed = { giftName: 'Rose', effectUrl: '', type: 0, sendTime: 1, sigKeyId: 'k1', sig: 's'.repeat(43) };
  return { requestId: `req-${n}`, senderId: 1 + (n % 10), receiverId: 500, roomId: 9, giftId: 3, price: 10, signed };
}

function items(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => item(i));
}

describe('BatchConsumeForSendGiftRequest', () => {
  it('accepts 1 and 1000 items, nested items become GiftSettlementItem instances', () => {
    expect(validatePayload(BatchConsumeForSendGiftRequest, { items: items(1) }).ok).toBe(true);
    const result = validatePayload(BatchConsumeForSendGiftRequest, { items: items(MAX_GIFT_SETTLEMENT_BATCH) });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.items[999]).toBeInstanceOf(GiftSettlementItem);
  });

  it('rejects an empty batch', () => {
    const result = validatePayload(BatchConsumeForSendGiftRequest, { items: [] });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/items: items must contain at least 1 elements/),
    });
  });

  it('rejects 1001 items', () => {
    const result = validatePayload(BatchConsumeForSendGiftRequest, { items: items(MAX_GIFT_SETTLEMENT_BATCH + 1) });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/items: items must contain no more than 1000 elements/),
    });
  });

  it('rejects a missing or non-array items', () => {
    expect(validatePayload(BatchConsumeForSendGiftRequest, {}).ok).toBe(false);
    expect(validatePayload(BatchConsumeForSendGiftRequest, { items: item(1) }).ok).toBe(false);
  });

  it('rejects a bad item, naming its index and field', () => {
    const batch = items(5);
    batch[3] = { ...batch[3], price: -10 };
    const result = validatePayload(BatchConsumeForSendGiftRequest, { items: batch });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/items\.3\.price: price must not be less than 1/),
    });
  });

  it('rejects an item that is not an object, or lacks a request id', () => {
    expect(validatePayload(BatchConsumeForSendGiftRequest, { items: [item(0), 42] }).ok).toBe(false);
    const { requestId: _r, ...noId } = item(0);
    const result = validatePayload(BatchConsumeForSendGiftRequest, { items: [noId] });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/items\.0\.requestId: /) });
  });
});

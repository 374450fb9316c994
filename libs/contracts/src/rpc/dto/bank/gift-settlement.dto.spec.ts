import { getMetadataStorage } from 'class-validator';
import { SendGiftMq } from '../../../kafka/send-gift/send-gift.value';
import { validatePayload } from '../../../validation';
import {
  BatchConsumeForSendGiftRequest,
  GiftOrderSignature,
  GiftSettlementItem,
  MAX_GIFT_SETTLEMENT_BATCH,
  settlementItemOfMessageProblem,
} from './gift-settlement.dto';

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

describe('settlementItemOfMessageProblem', () => {
  /** class-validator's constraints of a property, comparable across classes. */
  function constraintsOf(target: new () => object, property: string): string[] {
    return getMetadataStorage()
      .getTargetValidationMetadatas(target, '', true, false)
      .filter((m) => m.propertyName === property)
      .map((m) => JSON.stringify([m.type, m.name, m.constraints, m.each, m.validationTypeOptions]))
      .sort();
  }

  it('every field an item shares with the send_gift message carries the same constraints in both classes', () => {
    const shared: [new () => object, string, string][] = [
      [GiftSettlementItem, 'requestId', 'requestId'],
      [GiftSettlementItem, 'senderId', 'userId'],
      [GiftSettlementItem, 'receiverId', 'receiverId'],
      [GiftSettlementItem, 'roomId', 'roomId'],
      [GiftSettlementItem, 'giftId', 'giftId'],
      [GiftSettlementItem, 'price', 'price'],
      [GiftSettlementItem, 'count', 'count'],
      [GiftOrderSignature, 'giftName', 'giftName'],
      [GiftOrderSignature, 'effectUrl', 'url'],
      [GiftOrderSignature, 'type', 'type'],
      [GiftOrderSignature, 'sendTime', 'sendTime'],
      [GiftOrderSignature, 'pkId', 'pkId'],
    ];
    for (const [target, itemField, messageField] of shared) {
      expect([itemField, constraintsOf(target, itemField)]).toEqual([
        itemField,
        constraintsOf(SendGiftMq, messageField),
      ]);
      expect(constraintsOf(target, itemField).length).toBeGreaterThan(0);
    }
    // The fields the function checks itself, and nothing else the item adds.
    const checkedHere = ['sigKeyId', 'sig', 'refuseUnlessSettled', 'signed'];
    const itemFields = [GiftSettlementItem, GiftOrderSignature].flatMap((target) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(target, '', true, false)
        .map((m) => m.propertyName),
    );
    expect(
      [...new Set(itemFields)].filter((f) => !shared.some(([, i]) => i === f) && !checkedHere.includes(f)),
    ).toEqual([]);
  });

  it('says what validatePayload(GiftSettlementItem) says for the fields it checks', () => {
    const base = item(1) as unknown as GiftSettlementItem;
    const variants: GiftSettlementItem[] = [
      base,
      { ...base, signed: { ...base.signed, sigKeyId: 'k'.repeat(32) } },
      { ...base, signed: { ...base.signed, sigKeyId: 'k'.repeat(33) } },
      { ...base, signed: { ...base.signed, sigKeyId: 'bad key' } },
      { ...base, signed: { ...base.signed, sigKeyId: '' } },
      { ...base, signed: { ...base.signed, sig: 's'.repeat(64) } },
      { ...base, signed: { ...base.signed, sig: 's'.repeat(65) } },
      { ...base, refuseUnlessSettled: 'x' },
      { ...base, refuseUnlessSettled: 'x'.repeat(200) },
      { ...base, refuseUnlessSettled: 'x'.repeat(201) },
      { ...base, refuseUnlessSettled: '' },
      { ...base, count: 999 },
    ];
    for (const variant of variants) {
      const full = validatePayload(GiftSettlementItem, variant);
      const fast = settlementItemOfMessageProblem(variant);
      expect([variant, fast === null]).toEqual([variant, full.ok]);
    }
  });
});

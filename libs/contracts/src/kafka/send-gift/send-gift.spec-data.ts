import { UnsignedSendGift } from '../../integrity/send-gift.signature';
import { SendGiftType } from './send-gift.value';

/**
 * One unsigned send_gift message for the specs of this lib (`*.spec-data.ts`: left out of the build, as
 * specs are), with any field replaced.
 */
export function sampleSendGift(fields: Partial<UnsignedSendGift> = {}): UnsignedSendGift {
  return {
    userId: 101,
    giftId: 7,
    giftName: 'Rose',
    price: 50,
    receiverId: 202,
    roomId: 3003,
    url: 'https://cdn.example/gift/7.svga',
    requestId: '101:tap-1',
    type: SendGiftType.DEFAULT,
    sendTime: 1_764_000_000_000,
    ...fields,
  };
}

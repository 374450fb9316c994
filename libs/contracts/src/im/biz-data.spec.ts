import { ImSendMsgRequest, ImSendToRoomRequest } from '../rpc/dto/im';
import { IM_BIZ_DATA_CLASSES } from './biz-data';
import { GiftEffectData, GiftFailData } from './gift-push-data.dto';
import { ImBizCode } from './im-frame.dto';

const effect: GiftEffectData = {
  requestId: '1:a',
  giftId: 1,
  giftName: 'Rose',
  svgaUrl: '',
  senderId: 1,
  receiverId: 2,
  roomId: 3,
  combo: 1,
  count: 1,
};
const failure: GiftFailData = { requestId: '1:a', msg: 'no wallet' };

describe('the bizCode -> data map', () => {
  it('names a data class for every bizCode', () => {
    const codes = Object.values(ImBizCode).filter((c): c is ImBizCode => typeof c === 'number');
    expect(Object.keys(IM_BIZ_DATA_CLASSES).map(Number).sort()).toEqual(codes.sort());
    expect(IM_BIZ_DATA_CLASSES[ImBizCode.GIFT_SUCCESS]).toBe(GiftEffectData);
    expect(IM_BIZ_DATA_CLASSES[ImBizCode.GIFT_FAIL]).toBe(GiftFailData);
  });
});

/**
 * A push typed by its bizCode takes that bizCode's data only. Checked by tsc (npm test's typecheck stage:
 * it fails when an @ts-expect-error line type-checks), not by jest: nothing here runs an assertion.
 */
const _typedPushes = [
  {
    msgId: '1:a',
    roomId: 3,
    bizCode: ImBizCode.GIFT_SUCCESS,
    data: effect,
  } satisfies ImSendToRoomRequest<ImBizCode.GIFT_SUCCESS>,
  {
    msgId: '1:a',
    userId: 1,
    bizCode: ImBizCode.GIFT_FAIL,
    data: failure,
  } satisfies ImSendMsgRequest<ImBizCode.GIFT_FAIL>,
  // @ts-expect-error a 5557 carries GiftFailData, not the effect
  { userId: 1, bizCode: ImBizCode.GIFT_FAIL, data: effect } satisfies ImSendMsgRequest<ImBizCode.GIFT_FAIL>,
  {
    roomId: 3,
    bizCode: ImBizCode.GIFT_SUCCESS,
    // @ts-expect-error a 5556 carries the whole effect
    data: failure,
  } satisfies ImSendToRoomRequest<ImBizCode.GIFT_SUCCESS>,
  // @ts-expect-error the bizCode must be the one the request is typed by
  { userId: 1, bizCode: ImBizCode.GIFT_SUCCESS, data: failure } satisfies ImSendMsgRequest<ImBizCode.GIFT_FAIL>,
];

import { ClassConstructor } from 'class-transformer';
import { ChatMessageData } from './chat-data.dto';
import { GiftEffectData, GiftFailData } from './gift-push-data.dto';
import { ImBizCode } from './im-frame.dto';
import { PkEndedData, PkOnlineData, PkProgressData } from './pk-push-data.dto';

/**
 * The one bizCode -> data class map: the `data` a BIZ message (1003) of each bizCode carries. gift-service
 * builds its pushes with it and im-core sends them with it (ImSendMsgRequest<C>, ImRoomMessage<C>...).
 */
export const IM_BIZ_DATA_CLASSES = {
  [ImBizCode.CHAT]: ChatMessageData,
  [ImBizCode.GIFT_SUCCESS]: GiftEffectData,
  [ImBizCode.GIFT_FAIL]: GiftFailData,
  [ImBizCode.PK_PROGRESS]: PkProgressData,
  [ImBizCode.PK_ONLINE]: PkOnlineData,
  [ImBizCode.PK_ENDED]: PkEndedData,
} as const satisfies { [C in ImBizCode]: ClassConstructor<object> };

/** The data type of each bizCode. */
export type ImBizData = { [C in ImBizCode]: InstanceType<(typeof IM_BIZ_DATA_CLASSES)[C]> };

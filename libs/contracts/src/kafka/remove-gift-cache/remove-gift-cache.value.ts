import { IsEntityId } from '../../validation';

/** Value of topic `remove_gift_cache`: the gift whose cached config every gift-service instance drops. */
export class RemoveGiftCacheMq {
  @IsEntityId()
  giftId!: number;
}

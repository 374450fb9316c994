import { GiftConfigDto, GiftPanelItemDto, GiftStatus } from '@live/contracts';
import { GiftConfigEntity } from './entities/gift-config.entity';

export function toGiftConfigDto(e: GiftConfigEntity): GiftConfigDto {
  return {
    giftId: e.giftId,
    giftName: e.giftName,
    price: e.price,
    status: e.status === GiftStatus.ENABLED ? GiftStatus.ENABLED : GiftStatus.DISABLED,
    coverImgUrl: e.coverImgUrl,
    svgaUrl: e.svgaUrl,
    sortOrder: e.sortOrder,
  };
}

export function toPanelItem(g: GiftConfigDto): GiftPanelItemDto {
  return { giftId: g.giftId, giftName: g.giftName, price: g.price, coverImgUrl: g.coverImgUrl, svgaUrl: g.svgaUrl };
}

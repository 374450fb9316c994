import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsAssetUrl, IsEntityId, IsEnumValue, IsPositiveAmount, IsShownText } from '../../../validation';
import { SignedOrderRequest } from '../signed-order.dto';

export enum GiftStatus {
  DISABLED = 0,
  ENABLED = 1,
}

export const GIFT_NAME_MAX_LENGTH = 64;
/** The column width of t_gift_config's URLs. */
export const GIFT_URL_MAX_LENGTH = 255;
export const GIFT_SORT_ORDER_MAX = 1_000_000;

/** A gift of the catalogue (t_gift_config). */
export class GiftConfigDto {
  giftId!: number;
  giftName!: string;
  /** Coins. */
  price!: number;
  status!: GiftStatus;
  coverImgUrl!: string;
  svgaUrl!: string;
  /** Panel order, ascending. */
  sortOrder!: number;
}

/** What the gift panel shows (the public API's /gift/listGift item). */
export class GiftPanelItemDto {
  giftId!: number;
  giftName!: string;
  price!: number;
  coverImgUrl!: string;
  svgaUrl!: string;
}

/** GiftRpc.GET_CONFIG */
export class GetGiftConfigRequest {
  @IsEntityId()
  giftId!: number;
}

export class GetGiftConfigResponse {
  /** Null when there is no such gift or it is disabled. */
  gift!: GiftConfigDto | null;
}

/** GiftRpc.LIST_PANEL */
export class ListGiftPanelRequest {
  /** Admin view: disabled gifts too. Default false. */
  @IsOptional()
  @IsBoolean()
  includeDisabled?: boolean;
}

export class ListGiftPanelResponse {
  gifts!: GiftPanelItemDto[];
}

/** A catalogue change gift-service makes only with api-gateway's signature of it (see CATALOGUE_ORDER_PATTERNS). */
export class CatalogueOrderRequest extends SignedOrderRequest {}

/** GiftRpc.INSERT (admin), signed by api-gateway. */
export class InsertGiftConfigRequest extends CatalogueOrderRequest {
  @IsShownText(GIFT_NAME_MAX_LENGTH)
  giftName!: string;

  @IsPositiveAmount()
  price!: number;

  /** Default ENABLED. */
  @IsOptional()
  @IsEnumValue(GiftStatus)
  status?: GiftStatus;

  @IsAssetUrl(GIFT_URL_MAX_LENGTH)
  coverImgUrl!: string;

  @IsAssetUrl(GIFT_URL_MAX_LENGTH)
  svgaUrl!: string;

  /** Default 0. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(GIFT_SORT_ORDER_MAX)
  sortOrder?: number;
}

/** GiftRpc.UPDATE (admin), signed by api-gateway: the fields given change; the others stay. Publishes remove_gift_cache. */
export class UpdateGiftConfigRequest extends CatalogueOrderRequest {
  @IsEntityId()
  giftId!: number;

  @IsOptional()
  @IsShownText(GIFT_NAME_MAX_LENGTH)
  giftName?: string;

  @IsOptional()
  @IsPositiveAmount()
  price?: number;

  @IsOptional()
  @IsEnumValue(GiftStatus)
  status?: GiftStatus;

  @IsOptional()
  @IsAssetUrl(GIFT_URL_MAX_LENGTH)
  coverImgUrl?: string;

  @IsOptional()
  @IsAssetUrl(GIFT_URL_MAX_LENGTH)
  svgaUrl?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(GIFT_SORT_ORDER_MAX)
  sortOrder?: number;
}

/** Answer of GiftRpc.INSERT and GiftRpc.UPDATE: the gift as stored. */
export class GiftConfigResponse {
  gift!: GiftConfigDto;
}

import { IsEnum, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsEntityId } from '../../../validation';

/** Where a recharge was started (the original PaySourceEnum). */
export enum PaySource {
  LIVING_ROOM = 1,
  USER_CENTER = 2,
}

/** How it is paid (the original PayChannelEnum). */
export enum PayChannel {
  ALIPAY = 0,
  WECHAT = 1,
  UNIONPAY = 2,
  MOBILE = 3,
}

/** A pay order id as bank-service makes them (`PO...`): 1..64 of A-Z a-z 0-9 _ -. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** BankRpc.LIST_PRODUCTS */
export class ListPayProductsRequest {
  /** Product family (e.g. 0 = coin packs); see t_pay_product.type. */
  @IsInt()
  @Min(0)
  @Max(1000)
  type!: number;
}

export class PayProductDto {
  id!: number;
  name!: string;
  /** Price in cents. */
  price!: number;
  /** Coins credited when paid. */
  coinNum!: number;
  type!: number;
}

export class ListPayProductsResponse {
  products!: PayProductDto[];
}

/** BankRpc.CREATE_PAY_ORDER: an order waiting for payment, priced as the product is now. */
export class CreatePayOrderRequest {
  @IsEntityId()
  userId!: number;

  @IsEntityId()
  productId!: number;

  @IsEnum(PaySource)
  paySource!: PaySource;

  @IsEnum(PayChannel)
  payChannel!: PayChannel;
}

export class CreatePayOrderResponse {
  orderId!: string;
}

/**
 * BankRpc.PAY_NOTIFY: the payment provider's callback, HMAC-signed over the order id. The coins go to
 * the user recorded on the order (never one named by the caller), once per order.
 */
export class PayNotifyRequest {
  @IsString()
  @Matches(ORDER_ID_PATTERN)
  orderId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  signature!: string;
}

export class PayNotifyResponse {
  orderId!: string;
  status!: 'paid';
  /** False when this callback repeated one already applied: nothing changed. */
  credited!: boolean;
  coinNum!: number;
  /** The balance after the credit; null when nothing was credited now. */
  balance!: number | null;
}

/** BankRpc.DEV_PAY: the development payment provider pays the caller's own order (development mode only). */
export class DevPayRequest {
  @IsString()
  @Matches(ORDER_ID_PATTERN)
  orderId!: string;

  /** The caller: only the order's owner may pay it. */
  @IsEntityId()
  userId!: number;
}

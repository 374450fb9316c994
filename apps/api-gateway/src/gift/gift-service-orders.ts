import { GiftClient } from '@live/common';
import {
  CatalogueOrderPattern,
  GiftConfigResponse,
  GiftRpc,
  InsertGiftConfigRequest,
  PkOfflineResponse,
  PkOnlineResponse,
  PkSeatRequest,
  signCatalogueOrder,
  SigningKey,
  Unsigned,
  signPkSeatOrder,
  UpdateGiftConfigRequest,
} from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';

/**
 * gift-service's orders, signed by this gateway: the changes of the gift catalogue an admin asks for (adding a gift, changing one: what every later send of it
 * is charged), signed by this gateway (CATALOGUE_ORDER_SIGNING_KEY; signCatalogueOrder) after it authenticated
 * the admin: gift-service makes none without the signature (CATALOGUE_ORDER_PATTERNS, checked with
 * CATALOGUE_ORDER_VERIFY_KEYS, which no other service holds), so the internal RPC key, which every service
 * holds, does not let another service (im-core, im-router, bank-service) or a leaked key reprice a gift. The
 * same key signs gift-service's other calls on a user's word: taking and leaving a PK's challenger seat, for the
 * token's user (PK_SEAT_PATTERNS), so that key does not let anyone seat itself or end another's PK either.
 */
@Injectable()
export class GiftServiceOrders {
  private readonly key: SigningKey;

  constructor(
    private readonly gifts: GiftClient,
    env: GatewayEnv,
  ) {
    this.key = { id: env.CATALOGUE_ORDER_SIGNING_KEY_ID, secret: env.CATALOGUE_ORDER_SIGNING_KEY };
  }

  insert(change: Unsigned<InsertGiftConfigRequest>): Promise<GiftConfigResponse> {
    return this.gifts.insert(this.sign(GiftRpc.INSERT, change));
  }

  update(change: Unsigned<UpdateGiftConfigRequest>): Promise<GiftConfigResponse> {
    return this.gifts.update(this.sign(GiftRpc.UPDATE, change));
  }

  pkOnline(seat: Unsigned<PkSeatRequest>): Promise<PkOnlineResponse> {
    return this.gifts.pkOnline(signPkSeatOrder(GiftRpc.PK_ONLINE, { ...seat }, this.key));
  }

  pkOffline(seat: Unsigned<PkSeatRequest>): Promise<PkOfflineResponse> {
    return this.gifts.pkOffline(signPkSeatOrder(GiftRpc.PK_OFFLINE, { ...seat }, this.key));
  }

  private sign<T extends object>(pattern: CatalogueOrderPattern, change: T): T & { authority: string } {
    return signCatalogueOrder(pattern, { ...change } as T & Record<string, unknown>, this.key);
  }
}

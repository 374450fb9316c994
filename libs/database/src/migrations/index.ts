import { CreateSchema1764000000000 } from './1764000000000-create-schema';
import { SeedGiftsAndProducts1764000000001 } from './1764000000001-seed-gifts-and-products';
import { TradeRequestFingerprint1764000000010 } from './bank-service/1764000000010-trade-request-fingerprint';
import { TradeDirection1764000000011 } from './bank-service/1764000000011-trade-direction';
import { WithdrawalOrder1764000000100 } from './bank-service/1764000000100-withdrawal-order';
import { AccountSafeguards1764000000200 } from './bank-service/1764000000200-account-safeguards';
import { GiftRecordReceiverIndex1764000000030 } from './gift-service/1764000000030-gift-record-receiver-index';
import { PayOrderHygiene1764000000300 } from './bank-service/1764000000300-pay-order-hygiene';
import { DefaultNickNames1764000000400 } from './api-gateway/1764000000400-default-nick-names';
import { LocalGiftPictures1764000000500 } from './gift-service/1764000000500-local-gift-pictures';
import { GiftRecordCount1764000000600 } from './gift-service/1764000000600-gift-record-count';
import { LivingPk1764000000700 } from './gift-service/1764000000700-living-pk';
import { PayOrderOpenIndex1764000000800 } from './bank-service/1764000000800-pay-order-open-index';
import { BinaryIdentifiers1764000000900 } from './1764000000900-binary-identifiers';
import { AccountTotalEarned1764000001000 } from './bank-service/1764000001000-account-total-earned';
import { EarningsHours1764000001100 } from './bank-service/1764000001100-earnings-hours';

export { SEED_GIFTS, SEED_PRODUCTS } from './1764000000001-seed-gifts-and-products';
export { rebuildEarningsHours } from './bank-service/1764000001100-earnings-hours';

/**
 * Every migration, in order (listed explicitly: no glob that a build layout could break). One ordered
 * history for the one database; each table is declared in the folder of the app that owns it
 * (api-gateway/, gift-service/, bank-service/: README "Who owns what"), and a migration that changes
 * one app's tables lives in that app's folder.
 */
export const MIGRATIONS = [
  CreateSchema1764000000000, // every app's tables, from api-gateway/, gift-service/, bank-service/tables.ts
  SeedGiftsAndProducts1764000000001, // gift-service's t_gift_config, bank-service's t_pay_product
  TradeRequestFingerprint1764000000010, // bank-service's t_qiyu_currency_trade
  TradeDirection1764000000011, // bank-service's t_qiyu_currency_trade: debit and credit rows, the earnings index
  GiftRecordReceiverIndex1764000000030, // gift-service's t_gift_record
  WithdrawalOrder1764000000100, // bank-service's t_withdrawal_order
  AccountSafeguards1764000000200, // bank-service's t_qiyu_currency_account (spent today) and t_account_status_log
  PayOrderHygiene1764000000300, // bank-service's t_pay_order: request_key (payProduct's Idempotency-Key), the expiry index
  DefaultNickNames1764000000400, // api-gateway's t_user: the phone-derived default nicknames become user<userId>
  LocalGiftPictures1764000000500, // gift-service's t_gift_config: the seeded gifts' pictures served by the gateway
  GiftRecordCount1764000000600, // gift-service's t_gift_record: count (issue 20)
  LivingPk1764000000700, // gift-service's t_living_pk, t_gift_record.pk_id/pk_step (issue 21)
  PayOrderOpenIndex1764000000800, // bank-service's t_pay_order: the index of a user's unpaid orders (their cap)
  BinaryIdentifiers1764000000900, // every app's identifier columns (ids, keys, fingerprints) compared exactly: utf8mb4_bin
  AccountTotalEarned1764000001000, // bank-service's t_qiyu_currency_account: total_earned (/bank/earnings' all-time total)
  EarningsHours1764000001100, // bank-service's t_qiyu_earnings_hour: gift credits per hour (/bank/earnings' windows, the hold)
];

import { createTestDatabase } from '@live/testing';
import { LivingRoomEntity } from '../apps/api-gateway/src/living/entities/living-room.entity';
import { UserEntity } from '../apps/api-gateway/src/user/entities/user.entity';
import { AccountStatusLogEntity } from '../apps/bank-service/src/account/entities/account-status-log.entity';
import { CurrencyAccountEntity } from '../apps/bank-service/src/account/entities/currency-account.entity';
import { CurrencyTradeEntity } from '../apps/bank-service/src/account/entities/currency-trade.entity';
import { PayOrderEntity } from '../apps/bank-service/src/recharge/entities/pay-order.entity';
import { PayProductEntity } from '../apps/bank-service/src/recharge/entities/pay-product.entity';
import { WithdrawalOrderEntity } from '../apps/bank-service/src/withdrawal/entities/withdrawal-order.entity';
import { GiftConfigEntity } from '../apps/gift-service/src/gift-config/entities/gift-config.entity';
import { GiftRecordEntity } from '../apps/gift-service/src/gift-record/entities/gift-record.entity';
import { LivingPkEntity } from '../apps/gift-service/src/pk/entities/living-pk.entity';

/** The apps' entities and the migrated schema agree: TypeORM would change nothing. */
it('every entity matches the migrated schema exactly', async () => {
  const db = await createTestDatabase({
    entities: [
      UserEntity,
      LivingRoomEntity,
      GiftConfigEntity,
      GiftRecordEntity,
      LivingPkEntity,
      CurrencyAccountEntity,
      AccountStatusLogEntity,
      CurrencyTradeEntity,
      PayProductEntity,
      PayOrderEntity,
      WithdrawalOrderEntity,
    ],
  });
  try {
    const { upQueries } = await db.dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  } finally {
    await db.drop();
  }
});

import {
  BankOrderKeys,
  BankOrderKeysEnv,
  configProvider,
  GiftOrderKeys,
  GiftOrderKeysEnv,
  HealthModule,
  LoggingModule,
} from '@live/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@live/database';
import { BankRedisKeys, RedisHealthIndicator, RedisModule, signedOrderReplaysProvider } from '@live/redis';
import { Module } from '@nestjs/common';
import { AccountStatusLogEntity } from './account/entities/account-status-log.entity';
import { CurrencyAccountEntity } from './account/entities/currency-account.entity';
import { CurrencyTradeEntity } from './account/entities/currency-trade.entity';
import { BalanceCacheService } from './account/balance-cache.service';
import { CurrencyAccountRepository } from './account/currency-account.repository';
import { CurrencyAccountService } from './account/currency-account.service';
import { CurrencyTradeRepository } from './account/currency-trade.repository';
import { BankRpcController } from './bank-rpc.controller';
import { BankServiceEnv } from './config/bank-service.env';
import { PayOrderRepository } from './recharge/pay-order.repository';
import { PayOrderExpiryJob } from './recharge/pay-order-expiry.job';
import { PayOrderService } from './recharge/pay-order.service';
import { RechargeRefundService } from './recharge/recharge-refund.service';
import { PayProductRepository } from './recharge/pay-product.repository';
import { PayProductService } from './recharge/pay-product.service';
import { SignedGiftSettlement } from './settlement/signed-gift-settlement';
import { GiftSettlementService } from './settlement/gift-settlement.service';
import { PayOrderEntity } from './recharge/entities/pay-order.entity';
import { PayProductEntity } from './recharge/entities/pay-product.entity';
import { WithdrawalOrderEntity } from './withdrawal/entities/withdrawal-order.entity';
import { WithdrawalOrderRepository } from './withdrawal/withdrawal-order.repository';
import { WithdrawalService } from './withdrawal/withdrawal.service';

@Module({
  imports: [
    LoggingModule.forApp('bank-service'),
    RedisModule.forRoot(BankRedisKeys),
    DatabaseModule.forRoot({
      entities: [
        CurrencyAccountEntity,
        CurrencyTradeEntity,
        PayProductEntity,
        PayOrderEntity,
        AccountStatusLogEntity,
        WithdrawalOrderEntity,
      ],
    }),
    HealthModule.forRoot({ app: 'bank-service', indicators: [DatabaseHealthIndicator, RedisHealthIndicator] }),
  ],
  controllers: [BankRpcController],
  providers: [
    signedOrderReplaysProvider(BankRedisKeys),
    configProvider(BankServiceEnv),
    configProvider(GiftOrderKeysEnv),
    configProvider(BankOrderKeysEnv),
    BankOrderKeys,
    GiftOrderKeys,
    CurrencyAccountRepository,
    CurrencyTradeRepository,
    PayOrderRepository,
    PayProductRepository,
    BalanceCacheService,
    CurrencyAccountService,
    GiftSettlementService,
    SignedGiftSettlement,
    PayProductService,
    PayOrderService,
    WithdrawalOrderRepository,
    WithdrawalService,
    PayOrderExpiryJob,
    RechargeRefundService,
  ],
})
export class BankServiceModule {}

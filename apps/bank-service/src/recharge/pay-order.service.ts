import { BankErrorCode, BizException, ErrorAssert, GatewayErrorCode, RefusalLog } from '@live/common';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BalanceCacheService } from '../account/balance-cache.service';
import { CurrencyAccountService } from '../account/currency-account.service';
import { TradeType } from '../account/entities/currency-trade.entity';
import { isDuplicateEntry, withTransactionRetry } from '../account/transaction-retry';
import { BankServiceEnv } from '../config/bank-service.env';
import { PayOrderStatus } from './entities/pay-order.entity';
import { canTransition, isExpired, statusName } from './pay-order-status';
import { PayOrderRepository, PayOrderState, Queryable } from './pay-order.repository';
import { signPayCallback, verifyPayCallback } from './pay-signature';
import { PayProductService } from './pay-product.service';

interface CreatePayOrderCommand {
  userId: number;
  productId: number;
  paySource: number;
  payChannel: number;
  /** The client's Idempotency-Key, if it gave one. */
  requestKey?: string;
}

interface PayNotifyResult {
  orderId: string;
  status: 'paid';
  /** False when this callback repeated one already applied: nothing changed. */
  credited: boolean;
  coinNum: number;
  balance: number | null;
}

@Injectable()
export class PayOrderService {
  private readonly logger = new Logger(PayOrderService.name);
  /** The public callback route's refusals: at most 20 lines per 10 s, then a count (no log flood). */
  private readonly badSignatures = new RefusalLog(this.logger, 20, 10_000, 'payment callbacks with a bad signature');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PayOrderRepository,
    private readonly products: PayProductService,
    private readonly accounts: CurrencyAccountService,
    private readonly balanceCache: BalanceCacheService,
    private readonly env: BankServiceEnv,
  ) {}

  /**
   * An order waiting for payment, with the product's price and coins as they are now (a later price change
   * does not touch it). Under an Idempotency-Key (`requestKey`), one order per key and user: UNIQUE
   * (user_id, request_key) decides between concurrent calls; the same key again answers that order when the
   * product, source and channel are the same, and is refused (409 IDEMPOTENCY_KEY_REUSED) when they are not.
   * A user holds at most BANK_MAX_OPEN_ORDERS unpaid orders (409 TOO_MANY_OPEN_ORDERS past it): unpaid orders are
   * rows kept for good, so an account that orders and never pays grows the table by that many per TTL, no faster.
   */
  async create(command: CreatePayOrderCommand): Promise<{ orderId: string }> {
    const { requestKey } = command;
    const known = requestKey === undefined ? undefined : await this.orders.findByRequestKey(command.userId, requestKey);
    if (known) return this.replayed(known, command);
    const product = await this.products.getValid(command.productId);
    await this.accounts.assertNotFrozen(command.userId);
    const orderId = `PO${Date.now().toString(36).toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
    // Under the user's lock: a call with the same key that got in first is found here (its order is the
    // answer, even at the cap); otherwise the count of open orders and the insert are one step.
    const claim = this.orders.withUserLock(command.userId, async (db) => {
      const raced =
        requestKey === undefined ? undefined : await this.orders.findByRequestKey(command.userId, requestKey, db);
      if (raced) return raced;
      await this.assertRoomForOrder(db, command.userId);
      const order = {
        orderId,
        productId: product.id,
        userId: command.userId,
        source: command.paySource,
        payChannel: command.payChannel,
        status: PayOrderStatus.WAITING,
        price: product.price,
        coinNum: product.coinNum,
        requestKey: requestKey ?? null,
      };
      await this.orders.insert(order, db);
      return undefined;
    });
    // ER_DUP_ENTRY: a call that did not take the lock (an instance of an older version) inserted the key first.
    const winner = await claim.catch(async (err: unknown) => {
      const raced = requestKey !== undefined && isDuplicateEntry(err);
      const known = raced ? await this.orders.findByRequestKey(command.userId, requestKey) : undefined;
      if (known) return known;
      throw err;
    });
    if (winner) return this.replayed(winner, command);
    this.logger.log(
      `order ${orderId}: user ${command.userId} product ${product.id} (${product.coinNum} coins for ${product.price})`,
    );
    return { orderId };
  }

  /** Refused (409 TOO_MANY_OPEN_ORDERS) when the user already holds BANK_MAX_OPEN_ORDERS unpaid orders. */
  private async assertRoomForOrder(db: Queryable, userId: number): Promise<void> {
    const { BANK_MAX_OPEN_ORDERS: max, BANK_ORDER_TTL_MINUTES: ttl } = this.env;
    const { open, oldestS } = await this.orders.countOpen(db, userId, ttl);
    const minutes = Math.max(1, Math.ceil((ttl * 60 - oldestS) / 60));
    ErrorAssert.isTrue(
      open < max,
      BankErrorCode.TOO_MANY_OPEN_ORDERS,
      `${open} orders are waiting for payment (at most ${max}): pay one, or order again when the oldest expires (in ${minutes} min)`,
    );
  }

  /** The order an Idempotency-Key made, if this call asks for the same thing. */
  private replayed(order: PayOrderState, command: CreatePayOrderCommand): { orderId: string } {
    const same =
      order.productId === command.productId &&
      order.source === command.paySource &&
      order.payChannel === command.payChannel;
    ErrorAssert.isTrue(same, GatewayErrorCode.IDEMPOTENCY_KEY_REUSED);
    return { orderId: order.orderId };
  }

  /**
   * The provider's callback. Signed (HMAC) or refused; applied once per order: the order row is locked,
   * marked paid and the coins credited in ONE transaction, to the user recorded on the order (never a
   * user id from the request). A repeated callback finds the order paid and changes nothing. Money paid is
   * never lost: an order expired (by the job, or unpaid past BANK_ORDER_TTL_MINUTES) whose signed callback
   * arrives late (paid at minute 29, called back at 31) is credited and marked paid all the same, with a
   * warning; expiry only stops a payment from starting (devPay). A refunded or invalid order is refused.
   */
  async notify(orderId: string, signature: unknown): Promise<PayNotifyResult> {
    ErrorAssert.isNotBlank(orderId);
    if (!verifyPayCallback(this.env.BANK_PAY_SECRET, orderId, signature)) {
      this.badSignatures.refused(`order ${orderId}: callback with a bad signature refused`);
      throw new BizException(BankErrorCode.PAY_SIGNATURE_INVALID);
    }
    const outcome = await withTransactionRetry(this.dataSource, 'pay notify', async (em) => {
      const order = await this.orders.lock(em, orderId);
      ErrorAssert.isNotNull(order, BankErrorCode.ORDER_NOT_FOUND);
      const { userId, coinNum } = order;
      if (order.status === PayOrderStatus.PAID) return { userId, coinNum, credit: null, late: false };
      ErrorAssert.isTrue(
        canTransition(order.status, PayOrderStatus.PAID),
        BankErrorCode.ORDER_STATUS_INVALID,
        `order ${orderId} is ${statusName(order.status)}, not waiting for payment`,
      );
      const late = isExpired(order, this.env.BANK_ORDER_TTL_MINUTES);
      await this.orders.markPaid(em, orderId);
      const credit = await this.accounts.adjustInTransaction(em, {
        userId,
        num: coinNum,
        requestId: `pay:${orderId}`,
        type: TradeType.RECHARGE,
        createIfMissing: true,
      });
      return { userId, coinNum, credit, late };
    });
    if (!outcome.credit) {
      await this.accounts.refreshCache(outcome.userId);
      this.logger.log(`order ${orderId}: repeated callback, already paid: nothing changed`);
      return { orderId, status: 'paid', credited: false, coinNum: outcome.coinNum, balance: null };
    }
    await this.balanceCache.refreshMany([outcome.credit.cached]);
    const credited = `order ${orderId}: paid, user ${outcome.userId} credited ${outcome.coinNum} coins`;
    // Money the user paid is never lost: a payment called back after the order expired, or into a wallet
    // frozen since the order was placed, is credited all the same, and an operator is told.
    if (outcome.late) this.logger.warn(`${credited}: paid after expiry (the provider's callback came late)`);
    if (outcome.credit.frozen)
      this.logger.warn(`${credited} although the account is frozen (the order was placed before the freeze)`);
    if (!outcome.late && !outcome.credit.frozen) this.logger.log(credited);
    return { orderId, status: 'paid', credited: true, coinNum: outcome.coinNum, balance: outcome.credit.balance };
  }

  /**
   * Development payment provider: "pays" the caller's own order and sends the signed callback through the
   * same path a real provider's callback takes. A payment cannot start on an expired order (marked so, or
   * unpaid past BANK_ORDER_TTL_MINUTES): ORDER_EXPIRED, nothing paid. Disabled unless BANK_DEV_PAY_ENABLED=true.
   */
  async devPay(orderId: string, userId: number): Promise<PayNotifyResult> {
    ErrorAssert.isTrue(this.env.BANK_DEV_PAY_ENABLED === 'true', BankErrorCode.DEV_PAY_DISABLED);
    const order = await this.orders.find(orderId);
    ErrorAssert.isTrue(order !== undefined && order.userId === userId, BankErrorCode.ORDER_NOT_FOUND);
    ErrorAssert.isTrue(
      !isExpired(order, this.env.BANK_ORDER_TTL_MINUTES),
      BankErrorCode.ORDER_EXPIRED,
      `order ${orderId} expired: a payment can no longer start, make a new order`,
    );
    if (canTransition(order.status, PayOrderStatus.PAYING)) await this.orders.markPayingIfWaiting(orderId);
    return this.notify(orderId, signPayCallback(this.env.BANK_PAY_SECRET, orderId));
  }
}

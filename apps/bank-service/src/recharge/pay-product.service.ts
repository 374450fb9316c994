import { BankErrorCode, ErrorAssert } from '@live/common';
import { BankRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { PayProductRepository, PayProductView } from './pay-product.repository';

const PRODUCTS_TTL_SECONDS = 300;

/** Recharge products, read from t_pay_product and cached per type in Redis. */
@Injectable()
export class PayProductService {
  private readonly logger = new Logger(PayProductService.name);

  constructor(
    private readonly products: PayProductRepository,
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: BankRedisKeys,
  ) {}

  async list(type: number): Promise<PayProductView[]> {
    const key = this.keys.payProducts(type);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as PayProductView[];
    const products = await this.products.listValid(type);
    await this.redis.set(key, JSON.stringify(products), 'EX', PRODUCTS_TTL_SECONDS).catch((err: unknown) => {
      this.logger.warn(`product cache write failed: ${String(err)}`);
    });
    return products;
  }

  /** Straight from the database: an order snapshots the price it is created at. */
  async getValid(productId: number): Promise<PayProductView> {
    const product = await this.products.findValid(productId);
    ErrorAssert.isNotNull(product, BankErrorCode.PRODUCT_NOT_FOUND, `product ${productId} not found`);
    return product;
  }
}

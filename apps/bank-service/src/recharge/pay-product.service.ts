import { BankErrorCode, ErrorAssert } from '@live/common';
import { BankRedisKeys, InjectRedis } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

export interface PayProductView {
  id: number;
  name: string;
  /** Price in cents. */
  price: number;
  coinNum: number;
  type: number;
}

export const PRODUCTS_TTL_SECONDS = 300;

/** Recharge products, read from t_pay_product and cached per type in Redis. */
@Injectable()
export class PayProductService {
  private readonly logger = new Logger(PayProductService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: BankRedisKeys,
  ) {}

  async list(type: number): Promise<PayProductView[]> {
    const key = this.keys.payProducts(type);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached) return JSON.parse(cached) as PayProductView[];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      'SELECT id, name, price, coin_num, type FROM t_pay_product WHERE type = ? AND valid_status = 1 ORDER BY sort_order, id',
      [type],
    );
    const products = rows.map(toView);
    await this.redis.set(key, JSON.stringify(products), 'EX', PRODUCTS_TTL_SECONDS).catch((err: unknown) => {
      this.logger.warn(`product cache write failed: ${String(err)}`);
    });
    return products;
  }

  /** Straight from the database: an order snapshots the price it is created at. */
  async getValid(productId: number): Promise<PayProductView> {
    const [row]: Record<string, unknown>[] = await this.dataSource.query(
      'SELECT id, name, price, coin_num, type FROM t_pay_product WHERE id = ? AND valid_status = 1',
      [productId],
    );
    ErrorAssert.isNotNull(row, BankErrorCode.PRODUCT_NOT_FOUND, `product ${productId} not found`);
    return toView(row);
  }
}

function toView(r: Record<string, unknown>): PayProductView {
  return { id: Number(r.id), name: String(r.name), price: Number(r.price), coinNum: Number(r.coin_num), type: Number(r.type) };
}

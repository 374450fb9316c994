import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PayProductEntity } from './entities/pay-product.entity';

/** A product as the shop shows it (PayProductEntity's names; price in cents). */
export type PayProductView = Pick<PayProductEntity, 'id' | 'name' | 'price' | 'coinNum' | 'type'>;

const COLUMNS = 'id, name, price, coin_num, type';

function toView(r: Record<string, unknown>): PayProductView {
  return {
    id: Number(r.id),
    name: String(r.name),
    price: Number(r.price),
    coinNum: Number(r.coin_num),
    type: Number(r.type),
  };
}

/** The queries on t_pay_product (valid products only). */
@Injectable()
export class PayProductRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The valid products of a type, in shop order. */
  async listValid(type: number): Promise<PayProductView[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM t_pay_product WHERE type = ? AND valid_status = 1 ORDER BY sort_order, id`,
      [type],
    );
    return rows.map(toView);
  }

  async findValid(productId: number): Promise<PayProductView | undefined> {
    const [row]: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM t_pay_product WHERE id = ? AND valid_status = 1`,
      [productId],
    );
    return row ? toView(row) : undefined;
  }
}

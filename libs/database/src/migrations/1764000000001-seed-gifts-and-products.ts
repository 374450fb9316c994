import { MigrationInterface, QueryRunner } from 'typeorm';

const CDN = 'https://static.live-gift.dev';

/**
 * The 7 gifts of the panel (gift-service's t_gift_config) and the recharge products (bank-service's
 * t_pay_product). Clients ship local fallbacks for the images.
 */
export const SEED_GIFTS: [number, string, number][] = [
  [1, 'Rose', 1],
  [2, 'Heart', 5],
  [3, 'Applause', 10],
  [4, 'Crown', 52],
  [5, 'Rocket', 199],
  [6, 'Sports car', 520],
  [7, 'Castle', 1314],
];

/** [id, name, price in cents, coins] */
export const SEED_PRODUCTS: [number, string, number, number][] = [
  [1, '60 coins', 600, 60],
  [2, '300 coins', 3000, 300],
  [3, '980 coins', 9800, 980],
  [4, '1980 coins', 19800, 1980],
  [5, '3280 coins', 32800, 3280],
  [6, '6480 coins', 64800, 6480],
];

export class SeedGiftsAndProducts1764000000001 implements MigrationInterface {
  name = 'SeedGiftsAndProducts1764000000001';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name, price] of SEED_GIFTS) {
      const slug = name.toLowerCase().replace(/\s+/g, '-');
      await q.query(
        'INSERT INTO t_gift_config (gift_id, gift_name, price, status, cover_img_url, svga_url, sort_order) VALUES (?, ?, ?, 1, ?, ?, ?)',
        [id, name, price, `${CDN}/gifts/${slug}.png`, `${CDN}/gifts/${slug}.svga`, id],
      );
    }
    for (const [id, name, price, coins] of SEED_PRODUCTS) {
      await q.query(
        'INSERT INTO t_pay_product (id, name, price, coin_num, type, valid_status, sort_order) VALUES (?, ?, ?, ?, 0, 1, ?)',
        [id, name, price, coins, id],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM t_pay_product WHERE id IN (${SEED_PRODUCTS.map(() => '?').join(',')})`,
      SEED_PRODUCTS.map((p) => p[0]),
    );
    await q.query(
      `DELETE FROM t_gift_config WHERE gift_id IN (${SEED_GIFTS.map(() => '?').join(',')})`,
      SEED_GIFTS.map((g) => g[0]),
    );
  }
}

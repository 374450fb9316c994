import { MigrationInterface, QueryRunner } from 'typeorm';

const TIMES = `create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`;
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Every table of the brief. Runs on MySQL 8 and MariaDB 10.11. Money is BIGINT. */
export class CreateSchema1764000000000 implements MigrationInterface {
  name = 'CreateSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE t_user (
      user_id BIGINT NOT NULL AUTO_INCREMENT,
      phone VARCHAR(20) NOT NULL,
      nick_name VARCHAR(64) NOT NULL,
      avatar VARCHAR(255) NULL,
      role TINYINT NOT NULL DEFAULT 0,
      status TINYINT NOT NULL DEFAULT 1,
      ${TIMES},
      PRIMARY KEY (user_id),
      UNIQUE KEY uk_user_phone (phone)
    ) ${TABLE} AUTO_INCREMENT=10001`);
    await q.query(`CREATE TABLE t_living_room (
      id BIGINT NOT NULL AUTO_INCREMENT,
      anchor_id BIGINT NOT NULL,
      type TINYINT NOT NULL DEFAULT 0,
      room_name VARCHAR(128) NOT NULL,
      cover_img VARCHAR(255) NULL,
      status TINYINT NOT NULL,
      watch_num INT NOT NULL DEFAULT 0,
      start_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      close_time DATETIME(3) NULL,
      update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      KEY idx_living_status_type (status, type, id),
      KEY idx_living_anchor (anchor_id, status)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_gift_config (
      gift_id INT NOT NULL AUTO_INCREMENT,
      gift_name VARCHAR(64) NOT NULL,
      price BIGINT NOT NULL,
      status TINYINT NOT NULL DEFAULT 1,
      cover_img_url VARCHAR(255) NOT NULL,
      svga_url VARCHAR(255) NOT NULL,
      sort_order INT NOT NULL DEFAULT 0,
      ${TIMES},
      PRIMARY KEY (gift_id),
      CONSTRAINT ck_gift_price CHECK (price > 0)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_gift_record (
      id BIGINT NOT NULL AUTO_INCREMENT,
      request_id VARCHAR(64) NOT NULL,
      user_id BIGINT NOT NULL,
      receiver_id BIGINT NOT NULL,
      room_id BIGINT NOT NULL,
      gift_id INT NOT NULL,
      price BIGINT NOT NULL,
      combo INT NOT NULL DEFAULT 1,
      send_time DATETIME(3) NOT NULL,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      UNIQUE KEY uk_gift_record_request (request_id),
      KEY idx_gift_record_room (room_id, id),
      KEY idx_gift_record_user (user_id, id)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_qiyu_currency_account (
      user_id BIGINT NOT NULL,
      current_balance BIGINT NOT NULL DEFAULT 0,
      earnings BIGINT NOT NULL DEFAULT 0,
      total_recharged BIGINT NOT NULL DEFAULT 0,
      total_spent BIGINT NOT NULL DEFAULT 0,
      version BIGINT NOT NULL DEFAULT 0,
      status TINYINT NOT NULL DEFAULT 1,
      ${TIMES},
      PRIMARY KEY (user_id),
      CONSTRAINT ck_account_balance CHECK (current_balance >= 0),
      CONSTRAINT ck_account_earnings CHECK (earnings >= 0)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_qiyu_currency_trade (
      id BIGINT NOT NULL AUTO_INCREMENT,
      request_id VARCHAR(64) NOT NULL,
      user_id BIGINT NOT NULL,
      counterparty_id BIGINT NULL,
      num BIGINT NOT NULL,
      balance_after BIGINT NOT NULL,
      type TINYINT NOT NULL,
      status TINYINT NOT NULL DEFAULT 1,
      remark VARCHAR(255) NULL,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      UNIQUE KEY uk_trade_request (request_id),
      KEY idx_trade_user (user_id, id),
      KEY idx_trade_counterparty (counterparty_id, id)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_pay_product (
      id INT NOT NULL AUTO_INCREMENT,
      name VARCHAR(64) NOT NULL,
      price BIGINT NOT NULL,
      coin_num BIGINT NOT NULL,
      type TINYINT NOT NULL DEFAULT 0,
      valid_status TINYINT NOT NULL DEFAULT 1,
      sort_order INT NOT NULL DEFAULT 0,
      ${TIMES},
      PRIMARY KEY (id)
    ) ${TABLE}`);
    await q.query(`CREATE TABLE t_pay_order (
      id BIGINT NOT NULL AUTO_INCREMENT,
      order_id VARCHAR(64) NOT NULL,
      product_id INT NOT NULL,
      user_id BIGINT NOT NULL,
      source TINYINT NOT NULL,
      pay_channel TINYINT NOT NULL,
      status TINYINT NOT NULL DEFAULT 0,
      price BIGINT NOT NULL,
      coin_num BIGINT NOT NULL,
      pay_time DATETIME(3) NULL,
      ${TIMES},
      PRIMARY KEY (id),
      UNIQUE KEY uk_pay_order (order_id),
      KEY idx_pay_order_user (user_id, id)
    ) ${TABLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      't_pay_order',
      't_pay_product',
      't_qiyu_currency_trade',
      't_qiyu_currency_account',
      't_gift_record',
      't_gift_config',
      't_living_room',
      't_user',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}

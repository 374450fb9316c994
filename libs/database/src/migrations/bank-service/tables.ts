import { ownedTable, OwnedTable, TIMES } from '../owned-table';

/** The tables bank-service owns: only bank-service writes them (created by CreateSchema1764000000000). */
export const BANK_SERVICE_TABLES: OwnedTable[] = [
  // t_qiyu_currency_account: wallets; bank-service is the only writer of money.
  ownedTable(
    't_qiyu_currency_account',
    `
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
    `,
  ),
  // t_qiyu_currency_trade: the ledger, one row per request id.
  ownedTable(
    't_qiyu_currency_trade',
    `
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
    `,
  ),
  // t_pay_product: recharge products.
  ownedTable(
    't_pay_product',
    `
      id INT NOT NULL AUTO_INCREMENT,
      name VARCHAR(64) NOT NULL,
      price BIGINT NOT NULL,
      coin_num BIGINT NOT NULL,
      type TINYINT NOT NULL DEFAULT 0,
      valid_status TINYINT NOT NULL DEFAULT 1,
      sort_order INT NOT NULL DEFAULT 0,
      ${TIMES},
      PRIMARY KEY (id)
    `,
  ),
  // t_pay_order: recharge orders.
  ownedTable(
    't_pay_order',
    `
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
    `,
  ),
];

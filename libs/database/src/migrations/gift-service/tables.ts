import { ownedTable, OwnedTable, TIMES } from '../owned-table';

/** The tables gift-service owns: only gift-service writes them (created by CreateSchema1764000000000). */
export const GIFT_SERVICE_TABLES: OwnedTable[] = [
  // t_gift_config: the gift panel and prices.
  ownedTable(
    't_gift_config',
    `
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
    `,
  ),
  // t_gift_record: one row per settled gift request.
  ownedTable(
    't_gift_record',
    `
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
    `,
  ),
];

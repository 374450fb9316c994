import { ownedTable, OwnedTable, TIMES } from '../owned-table';

/** The tables api-gateway owns: only api-gateway writes them (created by CreateSchema1764000000000). */
export const API_GATEWAY_TABLES: OwnedTable[] = [
  // t_user: login, profiles.
  ownedTable(
    't_user',
    `
      user_id BIGINT NOT NULL AUTO_INCREMENT,
      phone VARCHAR(20) NOT NULL,
      nick_name VARCHAR(64) NOT NULL,
      avatar VARCHAR(255) NULL,
      role TINYINT NOT NULL DEFAULT 0,
      status TINYINT NOT NULL DEFAULT 1,
      ${TIMES},
      PRIMARY KEY (user_id),
      UNIQUE KEY uk_user_phone (phone)
    `,
    ' AUTO_INCREMENT=10001',
  ),
  // t_living_room: opens and closes rooms; gift-service reads anchors through LivingRoomReader (@live/contracts).
  ownedTable(
    't_living_room',
    `
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
    `,
  ),
];

import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_GATEWAY_TABLES } from './api-gateway/tables';
import { BANK_SERVICE_TABLES } from './bank-service/tables';
import { GIFT_SERVICE_TABLES } from './gift-service/tables';

/** Every table, in the order the history has always created them: api-gateway's, gift-service's, bank-service's. */
const TABLES = [...API_GATEWAY_TABLES, ...GIFT_SERVICE_TABLES, ...BANK_SERVICE_TABLES];

/** Every table of the brief, each declared in its owner's folder. Runs on MySQL 8 and MariaDB 10.11. Money is BIGINT. */
export class CreateSchema1764000000000 implements MigrationInterface {
  name = 'CreateSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(table.create);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await q.query(`DROP TABLE ${table.name}`);
  }
}

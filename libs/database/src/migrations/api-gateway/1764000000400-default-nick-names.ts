import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20 shows nicknames to everyone in a room's chat. Until then a new user's nickname was `user` + the last
 * 4 digits of its phone, and nobody could change it: every such default becomes `user<userId>` (the new default,
 * which says nothing of the phone). A nickname that is not that default (none could be set before issue 20) is
 * left alone, so running it again, or after users chose nicknames, changes nothing. One statement over t_user
 * (a table scan: the users table is read once, the defaults rewritten in place).
 */
export class DefaultNickNames1764000000400 implements MigrationInterface {
  name = 'DefaultNickNames1764000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      "UPDATE t_user SET nick_name = CONCAT('user', user_id) WHERE nick_name = CONCAT('user', RIGHT(phone, 4)) OR nick_name = ''",
    );
  }

  /** Nothing to undo: the old default gave away part of the phone number. */
  async down(): Promise<void> {}
}

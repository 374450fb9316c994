import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserEntity, UserRole } from './entities/user.entity';

/** t_user: one user per phone number, created at first login. */
@Injectable()
export class UserService {
  private readonly logger = new Logger(UserService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The user of this phone, created if new; `role` is applied (admins come from configuration). */
  async loginByPhone(phone: string, role: UserRole): Promise<UserEntity> {
    const users = this.dataSource.getRepository(UserEntity);
    // INSERT IGNORE: two first logins at once create one user (UNIQUE phone), both read it back.
    const nick = `user${phone.slice(-4)}`;
    const inserted: { affectedRows?: number } = await this.dataSource.query(
      'INSERT IGNORE INTO t_user (phone, nick_name, role) VALUES (?, ?, ?)',
      [phone, nick, role],
    );
    const user = await users.findOneByOrFail({ phone });
    if (inserted.affectedRows) this.logger.log(`user ${user.userId} created for phone ...${phone.slice(-4)}`);
    if (user.role !== role) {
      await users.update({ userId: user.userId }, { role });
      user.role = role;
    }
    return user;
  }

  findById(userId: number): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ userId });
  }
}

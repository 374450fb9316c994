import { BaseErrorCode, BizException } from '@live/common';
import { defaultNickName, foldLookAlikes, USER_NICK_TTL_SECONDS } from '@live/contracts';
import { GatewayRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { staffWordProblem } from '../common/staff-words';
import { UserEntity, UserRole } from './entities/user.entity';

/**
 * t_user: one user per phone number, created at first login with the nickname `user<userId>`
 * (defaultNickName: nothing of the phone number is shown to others), which the user may change.
 * The nickname is also kept in Redis (`gw:{user:<id>}:nick`), where im-core reads it for every chat message
 * (UserNickReader): written by setNickname, kept (and put back when Redis lost it) by every /im/getImConfig
 * (publishNick).
 */
@Injectable()
export class UserService {
  private readonly logger = new Logger(UserService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
  ) {}

  /** The user of this phone, created if new; `role` is applied (admins come from configuration). */
  async loginByPhone(phone: string, role: UserRole): Promise<UserEntity> {
    const users = this.dataSource.getRepository(UserEntity);
    // INSERT IGNORE: two first logins at once create one user (UNIQUE phone), both read it back. The
    // default nickname needs the new id: an empty one is filled in at once (by whichever login gets there).
    const inserted: { affectedRows?: number } = await this.dataSource.query(
      "INSERT IGNORE INTO t_user (phone, nick_name, role) VALUES (?, '', ?)",
      [phone, role],
    );
    await this.dataSource.query(
      "UPDATE t_user SET nick_name = CONCAT('user', user_id) WHERE phone = ? AND nick_name = ''",
      [phone],
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

  /** The user's nickname (the default when the row is missing: a user id from a valid token always has one). */
  async nickName(userId: number): Promise<string> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ select: { userId: true, nickName: true }, where: { userId } });
    return user?.nickName || defaultNickName(userId);
  }

  /** Sets the caller's nickname (already trimmed and checked), in the table, then in Redis for im-core. */
  async setNickName(userId: number, nickName: string): Promise<string> {
    const reserved = reservedNickName(userId, nickName);
    if (reserved) throw new BizException(BaseErrorCode.PARAM_ERROR, `nickName ${reserved}`);
    await this.dataSource.getRepository(UserEntity).update({ userId }, { nickName });
    await this.writeNick(userId, nickName);
    return nickName;
  }

  /**
   * Keeps the user's nickname in Redis for im-core (before each WebSocket login): a fresh TTL when it is there
   * (no database read), else read from the table and put back only if still missing (SET NX), so a rename
   * written meanwhile by setNickname is never overwritten with the name read before it.
   */
  async publishNick(userId: number): Promise<void> {
    const key = this.keys.userNick(userId);
    if ((await this.redis.expire(key, USER_NICK_TTL_SECONDS)) === 1) return;
    await this.redis.set(key, await this.nickName(userId), 'EX', USER_NICK_TTL_SECONDS, 'NX');
  }

  /** The nicknames of the users that exist among `userIds` (others are left out). */
  async nickNames(userIds: number[]): Promise<Record<string, string>> {
    const rows = await this.dataSource
      .getRepository(UserEntity)
      .find({ select: { userId: true, nickName: true }, where: { userId: In([...new Set(userIds)]) } });
    return Object.fromEntries(rows.map((u) => [String(u.userId), u.nickName || defaultNickName(u.userId)]));
  }

  private async writeNick(userId: number, nickName: string): Promise<void> {
    await this.redis.set(this.keys.userNick(userId), nickName, 'EX', USER_NICK_TTL_SECONDS);
  }
}

/**
 * Why a nickname would pass for someone else, or null. Compared on a folded form (foldLookAlikes: NFKC, lower
 * case, marks removed, only letters and digits, the letters drawn as nothing such as the Hangul fillers left out,
 * look-alikes of Latin letters (Cyrillic, Greek, small capitals, enclosed) read as Latin: "Ad.min", "ＡＤＭＩＮ", "ädmin", "adm\u3164in" and "Аdmin" are
 * "admin"): another user's default name (`user<digits>`: only one's own), or a staff word (staffWordProblem, which
 * room titles pass too).
 */
export function reservedNickName(userId: number, nickName: string): string | null {
  const folded = foldLookAlikes(nickName);
  const other = /^user(\d+)$/.exec(folded);
  if (other && folded !== defaultNickName(userId)) return `"${nickName}" is another user's default name`;
  return staffWordProblem(nickName, folded);
}

import { BizException, GatewayErrorCode, BaseErrorCode } from '@live/common';
import { GatewayRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { UserService } from '../user/user.service';
import { LivingService } from './living.service';

/**
 * Mutes in a room's chat (SPEC-20): the room's anchor mutes a user for some minutes (`gw:{room:<id>}:chat-mute:<userId>`,
 * the value until when, the key expiring then), or lifts it. im-core refuses the user's chat messages in that
 * room while the key exists (ChatMuteReader in @live/contracts).
 */
@Injectable()
export class ChatMuteService {
  private readonly logger = new Logger(ChatMuteService.name);

  constructor(
    private readonly living: LivingService,
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    private readonly users: UserService,
  ) {}

  /** In a living room only: a closed room has no chat to mute, and a key per call there would only take room. */
  async mute(anchorId: number, roomId: number, userId: number, minutes: number): Promise<void> {
    if ((await this.living.getLiving(roomId)).anchorId !== anchorId) this.notAnchor('mute');
    if (userId === anchorId) throw new BizException(BaseErrorCode.PARAM_ERROR, 'the anchor cannot mute themselves');
    // Only users: a mute key for an id that is no one would only take room in Redis (until it expires).
    if (!(await this.users.findById(userId)))
      throw new BizException(BaseErrorCode.PARAM_ERROR, `userId ${userId} is not a user`);
    const ms = minutes * 60_000;
    await this.redis.set(this.keys.chatMute(roomId, userId), String(Date.now() + ms), 'PX', ms);
    this.logger.log(`room ${roomId}: user ${userId} muted for ${minutes} min by its anchor ${anchorId}`);
  }

  async unmute(anchorId: number, roomId: number, userId: number): Promise<void> {
    await this.assertAnchor(anchorId, roomId, 'unmute');
    await this.redis.del(this.keys.chatMute(roomId, userId));
  }

  private async assertAnchor(userId: number, roomId: number, what: string): Promise<void> {
    if ((await this.living.anchorOf(roomId)) !== userId) this.notAnchor(what);
  }

  private notAnchor(what: string): never {
    throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_OWNER, `only the room's anchor can ${what} in its chat`);
  }
}

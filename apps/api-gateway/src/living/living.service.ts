import { BizException, describeError, GatewayErrorCode, ImRouterClient, TtlCache } from '@live/common';
import { ChatHistoryDropper, pageOf } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../user/entities/user.entity';
import { LivingRoomEntity, LivingRoomStatus } from './entities/living-room.entity';
import { AnchorConfigView, RoomView } from './living.dto';

/** How long a living room's anchor and type are remembered for the gift send's checks; at most this many rooms. */
const LIVING_ROOM_CACHE_MS = 5_000;
const LIVING_ROOM_CACHE_MAX = 10_000;

/** t_living_room: an anchor opens one room at a time; viewers list the living ones. */
@Injectable()
export class LivingService {
  private readonly logger = new Logger(LivingService.name);
  private readonly rooms: Repository<LivingRoomEntity>;
  /**
   * Living rooms as the gift send reads them (one query per room per 5 s, not one per send). A close on this
   * instance drops its room at once; another instance's copy lives out its 5 s, and gift-service refuses a gift
   * sent after the close whatever a gateway answered (SendGiftVerifier: the room's close_time).
   */
  private readonly livingRooms = new TtlCache<number, { anchorId: number; type: number }>(LIVING_ROOM_CACHE_MS, {
    maxEntries: LIVING_ROOM_CACHE_MAX,
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly imRouter: ImRouterClient,
    private readonly chatHistory: ChatHistoryDropper,
  ) {
    this.rooms = dataSource.getRepository(LivingRoomEntity);
  }

  /**
   * Opens a room for the anchor. An anchor already live gets the open room back (a retry), unless another type
   * is asked: a PK room asked while an ordinary one is open would be answered with a room that cannot hold a PK
   * (LIVING_ROOM_ALREADY_OPEN instead; an input fuzz pass's finding). The open room's name is not changed.
   */
  async start(anchorId: number, type: number, roomName?: string): Promise<{ roomId: number }> {
    const open = await this.rooms.findOneBy({ anchorId, status: LivingRoomStatus.LIVING });
    if (open && open.type !== type)
      throw new BizException(
        GatewayErrorCode.LIVING_ROOM_ALREADY_OPEN,
        `you are live in room ${open.id} of type ${open.type}: close it to open a room of type ${type}`,
      );
    if (open) return { roomId: open.id };
    const room = await this.rooms.save(
      this.rooms.create({
        anchorId,
        type,
        roomName: roomName ?? `room of ${anchorId}`,
        status: LivingRoomStatus.LIVING,
      }),
    );
    this.logger.log(`room ${room.id} opened by anchor ${anchorId} (type ${type})`);
    return { roomId: room.id };
  }

  async close(userId: number, roomId: number): Promise<void> {
    const room = await this.rooms.findOneBy({ id: roomId });
    if (!room) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
    if (room.anchorId !== userId) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_OWNER);
    if (room.status === LivingRoomStatus.CLOSED) return;
    // Only a living room is closed: of two closes at once (a double tap), the second changes nothing, so the
    // close time gift-service judges gifts by is the first one's.
    const { affected } = await this.rooms.update(
      { id: roomId, status: LivingRoomStatus.LIVING },
      { status: LivingRoomStatus.CLOSED, closeTime: new Date() },
    );
    if (affected !== 1) return;
    this.livingRooms.delete(roomId);
    this.logger.log(`room ${roomId} closed by its anchor`);
    // The room's chat ends with it: its history is not kept for its TTL. Not awaited, and not a reason to fail
    // the close (the room is closed in the database; Redis may be out): the list then expires with its TTL.
    void this.chatHistory
      .drop(roomId)
      .catch((err: unknown) =>
        this.logger.warn(
          `room ${roomId}: its chat history was not dropped (it expires with its TTL): ${describeError(err)}`,
        ),
      );
  }

  async list(type: number, page: number, pageSize: number): Promise<{ list: RoomView[]; hasNext: boolean }> {
    const rows = await this.rooms.find({
      where: { status: LivingRoomStatus.LIVING, type },
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize + 1,
    });
    const { list, hasNext } = pageOf(rows, page, pageSize);
    return { list: list.map(toView), hasNext };
  }

  /** A living room (for sending gifts), or an error naming why not. */
  async getLiving(roomId: number): Promise<LivingRoomEntity> {
    const room = await this.rooms.findOneBy({ id: roomId });
    if (!room || room.status !== LivingRoomStatus.LIVING)
      throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND, `room ${roomId} is not living`);
    return room;
  }

  /** A living room's anchor and type, as getLiving, remembered for LIVING_ROOM_CACHE_MS (dropped at its close here). */
  livingRoomCached(roomId: number): Promise<{ anchorId: number; type: number }> {
    return this.livingRooms.get(roomId, async () => {
      const { anchorId, type } = await this.getLiving(roomId);
      return { anchorId, type };
    });
  }

  /** The anchor of a room, living or closed (LIVING_ROOM_NOT_FOUND when there is no such room). */
  async anchorOf(roomId: number): Promise<number> {
    const room = await this.rooms.findOne({ select: { anchorId: true }, where: { id: roomId } });
    if (!room) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
    return room.anchorId;
  }

  async anchorConfig(userId: number, roomId: number): Promise<AnchorConfigView> {
    const room = await this.rooms.findOneBy({ id: roomId });
    if (!room) throw new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
    const [anchor, onlineCount] = await Promise.all([
      this.dataSource.getRepository(UserEntity).findOneBy({ userId: room.anchorId }),
      this.onlineCount(roomId),
    ]);
    return {
      ...toView(room),
      anchorNickName: anchor?.nickName ?? `user ${room.anchorId}`,
      anchorAvatar: anchor?.avatar ?? null,
      isAnchor: room.anchorId === userId,
      status: room.status,
      onlineCount,
    };
  }

  /** Who is in the room right now, as the im-core nodes hold it (null when the IM layer does not answer). */
  private async onlineCount(roomId: number): Promise<number | null> {
    try {
      const { userIds } = await this.imRouter.roomMembers(roomId);
      return userIds.length;
    } catch (err: unknown) {
      this.logger.warn(
        `room ${roomId}: members unavailable from im-router: ${err instanceof Error ? err.message : String(err)}`,
      );
      return null;
    }
  }
}

function toView(r: LivingRoomEntity): RoomView {
  return {
    roomId: r.id,
    anchorId: r.anchorId,
    roomName: r.roomName,
    type: r.type,
    coverImg: r.coverImg,
    startTime: r.startTime.getTime(),
  };
}

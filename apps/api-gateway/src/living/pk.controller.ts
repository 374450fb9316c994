import { ApiResponse, ApiResponses, GatewayErrorCode, GiftClient, PkErrorCode } from '@live/common';
import { PkOnlineResponse, PkStateResponse } from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { PostOk } from '../common/post-ok.decorator';
import { ApiDoc } from '../docs/api-doc.decorator';
import { RoomIdDto } from './living.dto';
import { GiftServiceOrders } from '../gift/gift-service-orders';

/** Taking and leaving the seat, per user: a few a second is a client looping, not a person. */
const PK_SEAT_LIMIT = { limit: 10, seconds: 10, msg: 'too many PK seat requests, wait a moment' };
/**
 * Taking the seat, also per hour: every PK started is a t_living_pk row, kept. 60 seats taken an hour (successful
 * calls: an attempt on a taken seat counts nothing) is far past a person's, a PK running up to 5 minutes, and bounds
 * the rows one account can add to about 1,440 a day (86,400 with the 10 s limit alone).
 */
const PK_TAKE_LIMIT = {
  ...PK_SEAT_LIMIT,
  longer: { limit: 60, seconds: 3_600, msg: 'at most 60 PK seats taken an hour: try again later' },
};

export class PkOnlineView implements PkOnlineResponse {
  @ApiProperty({ example: 'pk-1-1', description: 'pk-<roomId>-<seq>' }) pkId!: string;
  @ApiProperty({ description: "when the PK's time runs out, epoch ms" }) endsAt!: number;
}

export class PkStateView implements PkStateResponse {
  @ApiProperty({ nullable: true, type: String, description: 'null: the room never had a PK' }) pkId!: string | null;
  @ApiProperty() anchorId!: number;
  @ApiProperty({ nullable: true, type: Number }) challengerId!: number | null;
  @ApiProperty({ description: '0..100; 100 the anchor wins, 0 the challenger; starts at 50' }) progress!: number;
  @ApiProperty({ description: "the room's update counter: never goes back" }) seq!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'epoch ms' }) endsAt!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'once ended: the winner (0: a draw)' })
  winnerId!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "'' while running; bound | time | offline | session once ended; null without a PK",
  })
  endReason!: string | null;
}

/**
 * PK battles (issue 21) in a PK room (type 1): any logged-in user but the anchor takes the challenger seat,
 * gifts to either side move the bar, the PK ends at a bound, at its time, or when the challenger leaves.
 * gift-service owns the PK (GiftRpc.PK_*); the caller is always the token's user, never the body's.
 */
@ApiTags('living')
@Controller('living')
export class PkController {
  constructor(
    private readonly gifts: GiftClient,
    private readonly signed: GiftServiceOrders,
  ) {}

  @ApiDoc({
    ok: PkOnlineView,
    summary: 'Take the challenger seat of a PK room: a PK starts (a retry by the same challenger: the same PK)',
    example: { roomId: 1 },
    errors: [
      GatewayErrorCode.LIVING_ROOM_NOT_FOUND,
      PkErrorCode.PK_SEAT_TAKEN,
      PkErrorCode.PK_NOT_A_PK_ROOM,
      PkErrorCode.PK_ANCHOR_CANNOT_CHALLENGE,
    ],
  })
  @PostOk('onlinePK')
  @RequestLimit(PK_TAKE_LIMIT)
  async online(@CurrentUser() user: RequestUser, @Body() dto: RoomIdDto): Promise<ApiResponse<PkOnlineView>> {
    return ApiResponses.ok(await this.signed.pkOnline({ roomId: dto.roomId, userId: user.userId }));
  }

  @ApiDoc({
    ok: null,
    summary: 'Leave the challenger seat (the challenger only): the PK ends, the anchor wins',
    example: { roomId: 1 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND, PkErrorCode.PK_NOT_CHALLENGER],
  })
  @PostOk('offlinePK')
  @RequestLimit(PK_SEAT_LIMIT)
  async offline(@CurrentUser() user: RequestUser, @Body() dto: RoomIdDto): Promise<ApiResponse<null>> {
    await this.signed.pkOffline({ roomId: dto.roomId, userId: user.userId });
    return ApiResponses.ok(null);
  }

  @ApiDoc({
    ok: PkStateView,
    summary: "The room's running PK, or its last one (kept a day) with the winner",
    example: { roomId: 1 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND],
  })
  @PostOk('pkState')
  @RequestLimit({ limit: 30, seconds: 10, msg: 'too many PK state requests, wait a moment' })
  async state(@Body() dto: RoomIdDto): Promise<ApiResponse<PkStateView>> {
    return ApiResponses.ok(await this.gifts.pkState(dto.roomId));
  }
}

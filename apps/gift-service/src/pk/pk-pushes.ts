import { ImRouterClient } from '@live/common';
import { ImBizCode, ImBizData } from '@live/contracts';
import { Logger } from '@nestjs/common';

/**
 * A PK's pushes to its whole room through im-router (issue 21): 5559 seat taken / left, 5561 ended. msgIds are
 * the PK's (`<pkId>:on`, `:off`, `:end`): a repeat after a retry is written once per room by im-core. A
 * failure is logged, not thrown: the state is in pkState and in the next pushes.
 */
export class PkPushes {
  private readonly logger = new Logger(PkPushes.name);

  constructor(private readonly imRouter: ImRouterClient) {}

  async online(
    pk: { pkId: string; roomId: number; anchorId: number; challengerId: number; endsAt: number },
    online: boolean,
    progress: number,
    seq: number,
  ): Promise<void> {
    const { pkId, roomId, anchorId, challengerId, endsAt } = pk;
    await this.send(roomId, `${pkId}:${online ? 'on' : 'off'}`, ImBizCode.PK_ONLINE, {
      pkId,
      challengerId,
      online,
      seq,
      progress,
      endsAt,
      anchorId,
    });
  }

  /** A PK push to the whole room; a failure is logged (the state is in pkState and the next pushes). */
  async send<C extends ImBizCode.PK_ONLINE | ImBizCode.PK_ENDED>(
    roomId: number,
    msgId: string,
    bizCode: C,
    data: ImBizData[C],
  ): Promise<void> {
    try {
      const answer = await this.imRouter.sendToRoom({ msgId, roomId, bizCode, data });
      if (answer.failedNodes?.length)
        this.logger.warn(`room ${roomId}: ${msgId} not delivered on node(s) ${answer.failedNodes.join(', ')}`);
    } catch (err: unknown) {
      this.logger.warn(`room ${roomId}: ${msgId} not pushed: ${String(err)}`);
    }
  }
}

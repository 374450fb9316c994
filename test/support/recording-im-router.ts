import {
  ImRouteResponse,
  ImRouterRpc,
  ImSendMsgRequest,
  ImSendToRoomRequest,
  ImSendToRoomsRequest,
  ImSendToRoomsResponse,
} from '@live/contracts';
import { rpcServerOptions } from '@live/common';
import { Controller, Injectable, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';

/**
 * An im-router stand-in on real TCP that records what it is asked to push (for specs of the services
 * that call the router; the real router has its own). `failNext` makes the next calls fail, like a
 * router that is down.
 */
@Injectable()
export class PushLog {
  room: ImSendToRoomRequest[] = [];
  direct: ImSendMsgRequest[] = [];
  failNext = 0;
  failed = 0;

  refuseIfAsked(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.failed += 1;
      throw new Error('im-router unavailable (test)');
    }
  }

  /** msgIds of everything pushed so far. */
  pushedIds(): Set<string> {
    return new Set([...this.room.map((m) => m.msgId ?? ''), ...this.direct.map((m) => m.msgId ?? '')]);
  }
}

@Controller()
class RecordingImRouterController {
  constructor(private readonly log: PushLog) {}

  @MessagePattern({ cmd: ImRouterRpc.SEND_TO_ROOMS })
  rooms(@Payload() req: ImSendToRoomsRequest): ImSendToRoomsResponse {
    this.log.refuseIfAsked();
    this.log.room.push(...req.messages);
    return { results: req.messages.map((m) => ({ msgId: m.msgId ?? 'x', pushed: 1, offline: [] })) };
  }

  @MessagePattern({ cmd: ImRouterRpc.SEND_MSG })
  direct(@Payload() req: ImSendMsgRequest): ImRouteResponse {
    this.log.refuseIfAsked();
    this.log.direct.push(req);
    return { msgId: req.msgId ?? 'x', pushed: 1, offline: [] };
  }
}

@Module({ controllers: [RecordingImRouterController], providers: [PushLog] })
export class RecordingImRouterModule {}

/** The recording router listening on 127.0.0.1:`port` (signed RPC, as the real router). */
export async function startRecordingImRouter(port: number): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(RecordingImRouterModule, {
    ...rpcServerOptions('im-router', { host: '127.0.0.1', port }),
    logger: ['error'],
  });
  await app.listen();
  return app;
}

import { ImCoreClient } from '@live/common';
import {
  ImCorePushRequest,
  ImCorePushToRoomRequest,
  ImPresenceReader,
  ImRoomMembersResponse,
  ImRouteResponse,
  ImSendMsgRequest,
  ImSendToRoomsRequest,
  ImSendToRoomsResponse,
} from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ImNodeClients } from './im-node.clients';

/**
 * Finds the nodes in ONE Redis round trip (a pipeline of ZRANGEBYSCORE over the live bindings the nodes
 * keep), then makes ONE call per node. Users (or rooms) with no live node are skipped: offline users
 * are reported, nothing is queued. A node that does not answer is logged and its users reported offline;
 * the message is not retried here (the caller decides; gift pushes are idempotent by msgId).
 */
@Injectable()
export class ImRouterService {
  private readonly logger = new Logger(ImRouterService.name);

  constructor(
    private readonly presence: ImPresenceReader,
    private readonly nodes: ImNodeClients,
  ) {}

  sendMsg(req: ImSendMsgRequest): Promise<ImRouteResponse> {
    return this.sendToUsers(req.msgId ?? randomUUID(), [req.userId], req);
  }

  /** Many room messages: every room's nodes in one round trip, then one PUSH_TO_ROOMS per node. */
  async sendToRooms(req: ImSendToRoomsRequest): Promise<ImSendToRoomsResponse> {
    const messages: ImCorePushToRoomRequest[] = req.messages.map((m) => ({ ...m, msgId: m.msgId ?? randomUUID() }));
    const roomIds = [...new Set(messages.map((m) => m.roomId))];
    const found = await this.presence.nodesOfRooms(roomIds);
    const nodesOfRoom = new Map(roomIds.map((roomId, i) => [roomId, found[i]]));
    const perNode = new Map<string, ImCorePushToRoomRequest[]>();
    for (const m of messages) for (const nodeId of nodesOfRoom.get(m.roomId) ?? []) pushTo(perNode, nodeId, m);
    const pushedPerMessage = new Map<string, number>();
    await Promise.all(
      [...perNode].map(async ([nodeId, batch]) => {
        const answer = await this.call(nodeId, 'push to rooms', (node) => node.pushToRooms(batch));
        batch.forEach((m, i) =>
          pushedPerMessage.set(m.msgId, (pushedPerMessage.get(m.msgId) ?? 0) + (answer?.perMessage?.[i] ?? 0)),
        );
      }),
    );
    return {
      results: messages.map((m) => ({ msgId: m.msgId, pushed: pushedPerMessage.get(m.msgId) ?? 0, offline: [] })),
    };
  }

  /** Members of a room connected to any node: the room's nodes in one round trip, then each node asked. */
  async roomMembers(roomId: number): Promise<ImRoomMembersResponse> {
    const [nodes] = await this.presence.nodesOfRooms([roomId]);
    const answers = await Promise.all(
      nodes.map((nodeId) => this.call(nodeId, 'room members', (node) => node.roomMembers(roomId))),
    );
    return { userIds: [...new Set(answers.flatMap((a) => a?.userIds ?? []))].sort((a, b) => a - b) };
  }

  private async sendToUsers(
    msgId: string,
    userIds: number[],
    msg: Pick<ImCorePushRequest, 'bizCode' | 'data'>,
  ): Promise<ImRouteResponse> {
    const found = await this.presence.nodesOfUsers(userIds);
    const perNode = new Map<string, number[]>();
    const offline = new Set<number>();
    userIds.forEach((userId, i) => {
      if (found[i].length === 0) offline.add(userId);
      for (const nodeId of found[i]) pushTo(perNode, nodeId, userId);
    });
    const reached = new Set<number>();
    let pushed = 0;
    await Promise.all(
      [...perNode].map(async ([nodeId, users]) => {
        const answer = await this.call(nodeId, 'push', (node) =>
          node.pushToUsers({ msgId, userIds: users, bizCode: msg.bizCode, data: msg.data }),
        );
        if (!answer) return;
        pushed += answer.pushed;
        const notThere = new Set(answer.offline);
        for (const u of users) if (!notThere.has(u)) reached.add(u);
      }),
    );
    for (const u of userIds) if (!reached.has(u)) offline.add(u);
    return { msgId, pushed, offline: [...offline] };
  }

  /** One call to a node; null (logged, the node's client dropped) when the node is gone or the call failed. */
  private async call<T>(nodeId: string, what: string, ask: (node: ImCoreClient) => Promise<T>): Promise<T | null> {
    const client = await this.nodes.client(nodeId);
    if (!client) {
      this.logger.warn(`node ${nodeId} is bound in Redis but not registered: skipped`);
      return null;
    }
    try {
      return await ask(client);
    } catch (err: unknown) {
      this.nodes.drop(nodeId);
      this.logger.warn(`node ${nodeId}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

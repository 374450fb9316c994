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
 * are reported, nothing is queued. A node whose call fails is logged, its users reported offline and the
 * node named in the answer's `failedNodes`; the message is not retried here: the caller decides (gift-service
 * pushes again with the same msgId, which a node writes at most once per room or user).
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
    const failedPerMessage = new Map<string, string[]>();
    await Promise.all(
      [...perNode].map(async ([nodeId, batch]) => {
        const call = await this.call(nodeId, 'push to rooms', (node) => node.pushToRooms(batch));
        if (call.failed) for (const m of batch) pushTo(failedPerMessage, m.msgId, nodeId);
        batch.forEach((m, i) =>
          pushedPerMessage.set(m.msgId, (pushedPerMessage.get(m.msgId) ?? 0) + (call.answer?.perMessage?.[i] ?? 0)),
        );
      }),
    );
    return {
      results: messages.map((m) => ({
        msgId: m.msgId,
        pushed: pushedPerMessage.get(m.msgId) ?? 0,
        offline: [],
        ...failedNodes(failedPerMessage.get(m.msgId)),
      })),
    };
  }

  /** Members of a room connected to any node: the room's nodes in one round trip, then each node asked. */
  async roomMembers(roomId: number): Promise<ImRoomMembersResponse> {
    const [nodes] = await this.presence.nodesOfRooms([roomId]);
    const answers = await Promise.all(
      nodes.map((nodeId) => this.call(nodeId, 'room members', (node) => node.roomMembers(roomId))),
    );
    return { userIds: [...new Set(answers.flatMap((a) => a.answer?.userIds ?? []))].sort((a, b) => a - b) };
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
    const failed: string[] = [];
    let pushed = 0;
    await Promise.all(
      [...perNode].map(async ([nodeId, users]) => {
        const { answer, failed: callFailed } = await this.call(nodeId, 'push', (node) =>
          node.pushToUsers({ msgId, userIds: users, bizCode: msg.bizCode, data: msg.data }),
        );
        if (callFailed) failed.push(nodeId);
        if (!answer) return;
        pushed += answer.pushed;
        const notThere = new Set(answer.offline);
        for (const u of users) if (!notThere.has(u)) reached.add(u);
      }),
    );
    for (const u of userIds) if (!reached.has(u)) offline.add(u);
    return { msgId, pushed, offline: [...offline], ...failedNodes(failed) };
  }

  /**
   * One call to a node. `failed`: the call failed in a way that may have left live sockets without the
   * message (timeout, error answer, connection lost): the caller is told. A node that is gone is skipped
   * quietly (no answer, not failed): not registered any more, or refusing connections (no process listening,
   * so none of its sockets is open; its bindings age out). Any failure drops the node's client.
   */
  private async call<T>(
    nodeId: string,
    what: string,
    ask: (node: ImCoreClient) => Promise<T>,
  ): Promise<{ answer?: T; failed: boolean }> {
    const client = await this.nodes.client(nodeId);
    if (!client) {
      this.logger.warn(`node ${nodeId} is bound in Redis but not registered: skipped`);
      return { failed: false };
    }
    try {
      return { answer: await ask(client), failed: false };
    } catch (err: unknown) {
      this.nodes.drop(nodeId);
      const why = err instanceof Error ? err.message : String(err);
      const gone = /ECONNREFUSED/.test(why);
      this.logger.warn(`node ${nodeId}: ${what} failed: ${why}${gone ? ' (no process: skipped)' : ''}`);
      return { failed: !gone };
    }
  }
}

/** The failedNodes field of an answer: only when some node failed. */
function failedNodes(nodes: string[] | undefined): { failedNodes?: string[] } {
  return nodes && nodes.length > 0 ? { failedNodes: [...nodes].sort() } : {};
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

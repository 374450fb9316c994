import { ImErrorCode, ImRouterClient } from '@live/common';
import { ChatMessageData, ChatMuteReader, defaultNickName, ImBizCode, UserNickReader } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FrameBucket } from '../connection/frame-bucket';
import { ImConnection } from '../connection/im-connection';
import { ImPushService } from '../push/im-push.service';
import { BlockedWords, chatRefusal, ChatRefusal, isRefusal, parseChatData } from './chat-input';
import { ChatEnv } from './chat.env';
import { ChatStore } from './chat.store';
import { LiveRooms } from './live-rooms';

/**
 * The live-room chat (bizCode 5555, SPEC-20). A client's message is checked in this order, the first
 * failure answered to that socket only (an error frame with a 13xxx code) and nothing delivered:
 * its data (`{ roomId, text }`, text 1..200 characters after trimming), the socket being in that room,
 * the room being live (LiveRooms: t_living_room, held a few seconds), the blocked words
 * (IM_CHAT_BLOCKED_WORDS, on the folded text), then in ONE Redis round trip a mute of the sender in the room
 * (set by the anchor through the gateway), the sender's rate (IM_CHAT_RATE per second, one counter per
 * user in Redis, so it holds across nodes) and the sender's nickname. An accepted message is stored in the
 * room's recent history and pushed through im-router to every member of the room on every node (the
 * sender included), its msgId the chatId. A socket that joins a live room gets the history (`history: true`).
 * Before all this, and before its data is even parsed, the socket's chat frame bucket (IM_CHAT_SOCKET_BURST at
 * once, IM_CHAT_SOCKET_RATE a second): past it, CHAT_RATE_LIMITED with no other work.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);
  private readonly blocked: BlockedWords;
  /**
   * Sockets past the rate, until the end of the window, and their answer (CHAT_RATE_LIMITED): a flood of chat
   * frames from one socket costs Redis one round trip per window, not one per frame. Weak: an entry goes with
   * its connection (nothing to clean up, no bound to keep beyond the sockets').
   */
  private readonly quiet = new WeakMap<ImConnection, { until: number; refusal: ChatRefusal }>();
  /**
   * Each socket's chat frames (IM_CHAT_SOCKET_BURST at once, IM_CHAT_SOCKET_RATE a second), taken before
   * anything of the message is read: two numbers per socket, weak like `quiet`.
   */
  private readonly frames = new WeakMap<ImConnection, FrameBucket>();
  private readonly tooManyFrames = chatRefusal(
    ImErrorCode.CHAT_RATE_LIMITED,
    'chatting too fast on this connection: wait a moment',
  );

  constructor(
    private readonly store: ChatStore,
    private readonly mutes: ChatMuteReader,
    private readonly nicks: UserNickReader,
    private readonly imRouter: ImRouterClient,
    private readonly push: ImPushService,
    private readonly env: ChatEnv,
    private readonly liveRooms: LiveRooms,
  ) {
    this.blocked = new BlockedWords(env.IM_CHAT_BLOCKED_WORDS);
  }

  /** Says a client's 5555 in its room; null when delivered, else why not (to tell the sender). */
  async say(conn: ImConnection, data: unknown): Promise<ChatRefusal | null> {
    if (!this.takeFrame(conn)) return this.tooManyFrames;
    const input = parseChatData(data);
    if (isRefusal(input)) return input;
    const { roomId, text } = input;
    if (conn.roomId !== roomId)
      return chatRefusal(ImErrorCode.CHAT_NOT_IN_ROOM, `you are not in room ${roomId}: join it before chatting in it`);
    const live = await this.isLive(roomId);
    if (live !== true)
      return live === false
        ? chatRefusal(ImErrorCode.CHAT_ROOM_NOT_LIVE, `room ${roomId} is not live: chat is open only while it is`)
        : live;
    if (this.blocked.find(text) !== null) return chatRefusal(ImErrorCode.CHAT_BLOCKED_WORD);
    const quiet = this.quiet.get(conn);
    if (quiet && quiet.until > Date.now()) return quiet.refusal;
    const userId = conn.userId;
    let count: { sent: number; windowLeftMs: number }, mutedUntil: number | null, nick: string | null;
    try {
      [count, mutedUntil, nick] = await Promise.all([
        this.store.count(userId),
        this.mutes.mutedUntil(roomId, userId),
        this.nicks.get(userId),
      ]);
    } catch (err: unknown) {
      this.logger.warn(`chat of user ${userId} in room ${roomId}: Redis failed: ${String(err)}`);
      return chatRefusal(ImErrorCode.CHAT_UNAVAILABLE);
    }
    if (count.sent > this.env.IM_CHAT_RATE) {
      // Past the rate: this socket's next messages in the window are refused without asking Redis again.
      const tooFast = chatRefusal(
        ImErrorCode.CHAT_RATE_LIMITED,
        `chatting too fast: at most ${this.env.IM_CHAT_RATE} message(s) a second`,
      );
      this.quiet.set(conn, { until: Date.now() + count.windowLeftMs, refusal: tooFast });
      if (mutedUntil === null) return tooFast;
    }
    if (mutedUntil !== null) return chatRefusal(ImErrorCode.CHAT_MUTED, mutedMessage(mutedUntil));
    const message: ChatMessageData = {
      chatId: randomUUID(),
      roomId,
      userId,
      nickName: nick ?? defaultNickName(userId),
      text,
      time: Date.now(),
    };
    return this.deliver(message);
  }

  /**
   * Replays the room's recent messages to a socket that just joined it, oldest first, each with
   * `history: true` and a msgId of its own (`h:<chatId>`). Nothing when it left the room meanwhile.
   */
  async replay(conn: ImConnection, roomId: number): Promise<void> {
    // A room that is not live (ended, or never was) has no chat: nothing replayed (its history expires).
    if ((await this.isLive(roomId)) !== true) return;
    let messages: ChatMessageData[];
    try {
      messages = await this.store.recent(roomId);
    } catch (err: unknown) {
      this.logger.warn(`chat history of room ${roomId} unavailable: ${String(err)}`);
      return;
    }
    if (conn.roomId !== roomId) return;
    for (const m of messages)
      this.push.pushToConnection(conn, `h:${m.chatId}`, ImBizCode.CHAT, { ...m, history: true });
  }

  /** One chat frame of the socket: false past its bucket (refused before its data is parsed). */
  private takeFrame(conn: ImConnection): boolean {
    let bucket = this.frames.get(conn);
    if (!bucket) {
      bucket = new FrameBucket(this.env.IM_CHAT_SOCKET_BURST, this.env.IM_CHAT_SOCKET_RATE);
      this.frames.set(conn, bucket);
    }
    return bucket.take();
  }

  /** Whether the room is live; the database failing is CHAT_UNAVAILABLE (logged). */
  private async isLive(roomId: number): Promise<boolean | ChatRefusal> {
    try {
      return await this.liveRooms.isLive(roomId);
    } catch (err: unknown) {
      this.logger.warn(`chat in room ${roomId}: whether it is live is unknown: ${String(err)}`);
      return chatRefusal(ImErrorCode.CHAT_UNAVAILABLE);
    }
  }

  /**
   * Into the history and to the room at once. The sender is told only when the push failed (it may have
   * reached nobody); a message not stored (Redis failed) was still delivered, so that is only logged.
   */
  private async deliver(message: ChatMessageData): Promise<ChatRefusal | null> {
    const { roomId, chatId } = message;
    const [stored, pushed] = await Promise.allSettled([
      this.store.append(message),
      this.imRouter.sendToRoom({ roomId, bizCode: ImBizCode.CHAT, data: message, msgId: chatId }),
    ]);
    if (stored.status === 'rejected')
      this.logger.warn(`chat ${chatId} in room ${roomId}: not kept in the history: ${String(stored.reason)}`);
    if (pushed.status === 'rejected') {
      this.logger.warn(`chat ${chatId} in room ${roomId}: push failed: ${String(pushed.reason)}`);
      return chatRefusal(
        ImErrorCode.CHAT_UNAVAILABLE,
        'chat is unavailable right now: the message may not have been seen',
      );
    }
    if (pushed.value.failedNodes)
      this.logger.warn(
        `chat ${chatId} in room ${roomId}: not delivered on node(s) ${pushed.value.failedNodes.join(', ')}`,
      );
    return null;
  }
}

function mutedMessage(until: number): string {
  const minutes = Math.ceil((until - Date.now()) / 60_000);
  return minutes > 0
    ? `you are muted in this room's chat for ${minutes} more minute${minutes === 1 ? '' : 's'}`
    : "you are muted in this room's chat";
}

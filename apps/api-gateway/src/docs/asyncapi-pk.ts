import {
  ImAppId,
  ImBizCode,
  ImFrameCode,
  PK_END_REASONS,
  PkEndedData,
  PkOnlineData,
  PkProgressData,
} from '@live/contracts';
import { bizBody, frame, ID, message, MSG_ID, objectOf, Schema, withBody } from './asyncapi-schema';

/** JSON Schemas and examples of the PK battles' pushes (issue 21: 5558, 5559, 5561) for the AsyncAPI document. */

const PK_ID = { type: 'string', pattern: '^pk-[1-9][0-9]{0,15}-[1-9][0-9]{0,15}$', description: 'pk-<roomId>-<seq>' };
const PROGRESS = {
  type: 'integer',
  minimum: 0,
  maximum: 100,
  description: 'the bar: 100 the anchor wins, 0 the challenger wins; every PK starts at 50',
};
const SEQ = {
  type: 'integer',
  minimum: 1,
  description: "the room's PK update counter: +1 per start, bar move and end, never back; keep the highest",
};
const ENDS_AT = { type: 'integer', description: "when the PK's time runs out, epoch ms" };

const pkProgressData = objectOf(
  {
    pkId: PK_ID,
    progress: PROGRESS,
    seq: SEQ,
    requestId: { oneOf: [MSG_ID, { type: 'null' }], description: 'the gift that moved the bar; null in a snapshot' },
    step: {
      type: 'integer',
      minimum: -100,
      maximum: 100,
      description: 'the move this gift made: + toward the anchor, - toward the challenger (absent in a snapshot)',
    },
    anchorId: ID,
    challengerId: ID,
    endsAt: ENDS_AT,
    winnerId: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], description: 'snapshot: 0 a draw' },
    snapshot: { type: 'boolean', const: true, description: 'only to a socket joining the room during a PK' },
  } satisfies Record<keyof PkProgressData, Schema>,
  ['pkId', 'progress', 'seq', 'requestId', 'anchorId', 'challengerId', 'endsAt'],
);

const pkOnlineData = objectOf({
  pkId: PK_ID,
  challengerId: ID,
  online: { type: 'boolean', description: 'true: the seat was taken (a PK starts); false: the challenger left' },
  seq: SEQ,
  progress: PROGRESS,
  endsAt: ENDS_AT,
  anchorId: ID,
} satisfies Record<keyof PkOnlineData, Schema>);

const pkEndedData = objectOf({
  pkId: PK_ID,
  winnerId: { type: 'integer', minimum: 0, description: 'the anchor or the challenger; 0: a draw' },
  reason: {
    type: 'string',
    enum: [...PK_END_REASONS],
    description: 'bound: the bar reached 0 or 100; time: its time ran out; offline / session: the challenger left',
  },
  progress: PROGRESS,
  seq: SEQ,
  anchorId: ID,
  challengerId: ID,
} satisfies Record<keyof PkEndedData, Schema>);

const progressExample = {
  pkId: 'pk-3-7',
  progress: 58,
  seq: 9,
  requestId: '42:gift-0001',
  step: 8,
  anchorId: 7,
  challengerId: 11,
  endsAt: 1764000300000,
} satisfies PkProgressData;
const onlineExample = {
  pkId: 'pk-3-7',
  challengerId: 11,
  online: true,
  seq: 7,
  progress: 50,
  endsAt: 1764000300000,
  anchorId: 7,
} satisfies PkOnlineData;
const endedExample = {
  pkId: 'pk-3-7',
  winnerId: 7,
  reason: 'bound',
  progress: 100,
  seq: 21,
  anchorId: 7,
  challengerId: 11,
} satisfies PkEndedData;

const room = '0: everyone in the room';
const pkFrame = (bizCode: ImBizCode, msgId: string, data: object): object =>
  withBody(ImFrameCode.BIZ, { msgId, appId: ImAppId.LIVE_BIZ, userId: 0, bizCode, data });

/** The PK pushes' ImMsgBody schemas, for the batch frame's items. */
export const PK_BATCH_BODIES: Schema[] = [
  bizBody(ImBizCode.PK_PROGRESS, pkProgressData, `${room}; a snapshot: the socket that joined`),
  bizBody(ImBizCode.PK_ONLINE, pkOnlineData, room),
  bizBody(ImBizCode.PK_ENDED, pkEndedData, room),
];

/** One PK push's message: its ImMsgBody schema (PK_BATCH_BODIES) in a 1003, with an example. */
const pkMessage = (name: string, title: string, summary: string, code: ImBizCode, msgId: string, data: object) => {
  const body = PK_BATCH_BODIES.find((b) => (b.properties as { bizCode: { const: number } }).bizCode.const === code)!;
  return message(name, title, summary, frame(ImFrameCode.BIZ, body, `a ${code}`), pkFrame(code, msgId, data));
};

/** The PK pushes, by message id. */
export const PK_MESSAGES: Record<string, Schema> = {
  pkProgress: pkMessage(
    'pkProgress',
    '1003 bizCode 5558: PK bar',
    'A PK bar move, right after the 5556 of the gift that made it, to everyone in the room; msgId <pkId>:<seq>. A socket that joins a room during a PK (or within 60 s of its end) first gets one snapshot of it (snapshot: true, requestId null, winnerId once ended) to itself only. Order updates by seq. Ack it with a 1005.',
    ImBizCode.PK_PROGRESS,
    'pk-3-7:9',
    progressExample,
  ),
  pkOnline: pkMessage(
    'pkOnline',
    '1003 bizCode 5559: PK seat',
    'A challenger took the PK seat (online: true, a PK starts at 50) or left it (online: false, the anchor wins: a 5561 follows), to everyone in the room; msgId <pkId>:on / <pkId>:off.',
    ImBizCode.PK_ONLINE,
    'pk-3-7:on',
    onlineExample,
  ),
  pkEnded: pkMessage(
    'pkEnded',
    '1003 bizCode 5561: PK ended',
    'A PK ended, naming its winner (0: a draw), to everyone in the room; msgId <pkId>:end. Gifts after it move no bar.',
    ImBizCode.PK_ENDED,
    'pk-3-7:end',
    endedExample,
  ),
};

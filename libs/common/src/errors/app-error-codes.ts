import { defineErrorCodes } from './error-code';

/** App-specific codes, from 10001 up, one block of 1000 per area. */
export const GatewayErrorCode = defineErrorCodes({
  LOGIN_CODE_TOO_FREQUENT: { code: 10001, msg: 'a login code was sent less than a minute ago', httpStatus: 429 },
  LOGIN_CODE_INVALID: { code: 10002, msg: 'login code is wrong or expired', httpStatus: 400 },
  LIVING_ROOM_NOT_FOUND: { code: 10003, msg: 'living room not found', httpStatus: 404 },
  LIVING_ROOM_NOT_OWNER: { code: 10004, msg: "only the room's anchor can do this", httpStatus: 403 },
  LIVING_ROOM_ALREADY_OPEN: { code: 10005, msg: 'the anchor already has an open room', httpStatus: 409 },
  ADMIN_ONLY: { code: 10006, msg: 'admin only', httpStatus: 403 },
  IDEMPOTENCY_KEY_REUSED: { code: 10007, msg: 'idempotency key reused with different parameters', httpStatus: 409 },
});

export const GiftErrorCode = defineErrorCodes({
  GIFT_NOT_FOUND: { code: 11001, msg: 'gift not found', httpStatus: 404 },
  GIFT_NOT_VALID: { code: 11002, msg: 'gift is not on sale', httpStatus: 400 },
  GIFT_SEND_FAILED: { code: 11003, msg: 'gift could not be sent, try again', httpStatus: 503 },
});

export const BankErrorCode = defineErrorCodes({
  INSUFFICIENT_BALANCE: { code: 12001, msg: 'insufficient balance', httpStatus: 402 },
  ACCOUNT_NOT_FOUND: { code: 12002, msg: 'account not found', httpStatus: 404 },
  PRODUCT_NOT_FOUND: { code: 12003, msg: 'product not found', httpStatus: 404 },
  ORDER_NOT_FOUND: { code: 12004, msg: 'order not found', httpStatus: 404 },
  ORDER_STATUS_INVALID: { code: 12005, msg: 'order is not waiting for payment', httpStatus: 409 },
  PAY_SIGNATURE_INVALID: { code: 12006, msg: 'payment callback signature is invalid', httpStatus: 400 },
  BATCH_TOO_LARGE: { code: 12007, msg: 'settlement batch is too large', httpStatus: 400 },
  DEV_PAY_DISABLED: { code: 12008, msg: 'development payment is disabled', httpStatus: 403 },
  ACCOUNT_FROZEN: { code: 12009, msg: 'the account is frozen', httpStatus: 403 },
  DAILY_SPEND_CAP_EXCEEDED: { code: 12010, msg: "the gift would pass today's spending cap", httpStatus: 403 },
  // 12011-12019: withdrawals.
  WITHDRAW_BELOW_MINIMUM: { code: 12011, msg: 'the withdrawal is below the minimum', httpStatus: 400 },
  WITHDRAW_OVER_WITHDRAWABLE: {
    code: 12012,
    msg: 'the withdrawal is more than the withdrawable earnings',
    httpStatus: 402,
  },
  WITHDRAWAL_NOT_FOUND: { code: 12013, msg: 'withdrawal order not found', httpStatus: 404 },
  WITHDRAWAL_STATUS_INVALID: {
    code: 12014,
    msg: 'the withdrawal order is not in a state that allows this',
    httpStatus: 409,
  },
  // 12020-12029: recharge orders and refunds.
  ORDER_EXPIRED: {
    code: 12020,
    msg: 'the order expired: a payment can no longer start (make a new order)',
    httpStatus: 409,
  },
  REFUND_COINS_SPENT: {
    code: 12021,
    msg: "the wallet no longer holds the order's coins: nothing was refunded",
    httpStatus: 409,
  },
  ORDER_NOT_REFUNDABLE: { code: 12022, msg: 'only a paid order can be refunded', httpStatus: 409 },
  TOO_MANY_OPEN_ORDERS: {
    code: 12023,
    msg: 'too many orders waiting for payment: pay one or let it expire first',
    httpStatus: 409,
  },
});

export const ImErrorCode = defineErrorCodes({
  IM_TOKEN_INVALID: { code: 13001, msg: 'IM token is invalid or expired', httpStatus: 401 },
  IM_NODE_UNAVAILABLE: { code: 13002, msg: 'no IM node is available', httpStatus: 503 },
  // 13003-13019: live-room chat (bizCode 5555): im-core's error frames to the sender, nothing delivered.
  CHAT_MESSAGE_INVALID: {
    code: 13003,
    msg: 'a chat message is a 1003 whose body has bizCode 5555 and data { roomId, text }',
    httpStatus: 400,
  },
  CHAT_TEXT_INVALID: {
    code: 13004,
    msg: 'chat text must be 1-200 characters after trimming, without control or invisible characters',
    httpStatus: 400,
  },
  CHAT_NOT_IN_ROOM: {
    code: 13005,
    msg: 'join the room (log in with its roomId) before chatting in it',
    httpStatus: 403,
  },
  CHAT_RATE_LIMITED: { code: 13006, msg: 'chatting too fast, wait a moment', httpStatus: 429 },
  CHAT_MUTED: { code: 13007, msg: "you are muted in this room's chat", httpStatus: 403 },
  CHAT_BLOCKED_WORD: { code: 13008, msg: 'the message contains a word that is not allowed', httpStatus: 400 },
  CHAT_UNAVAILABLE: { code: 13009, msg: 'chat is unavailable right now, try again', httpStatus: 503 },
  CHAT_ROOM_NOT_LIVE: { code: 13010, msg: 'this room is not live: chat is open only while it is', httpStatus: 409 },
});

/** PK battles (issue 21): the challenger seat of a PK room (gift-service owns the PK, the gateway answers these). */
export const PkErrorCode = defineErrorCodes({
  PK_SEAT_TAKEN: { code: 14001, msg: 'the PK seat is taken: another challenger is in this room', httpStatus: 409 },
  PK_NOT_A_PK_ROOM: { code: 14002, msg: 'this room is not a live PK room', httpStatus: 409 },
  PK_ANCHOR_CANNOT_CHALLENGE: { code: 14003, msg: 'the anchor cannot challenge their own room', httpStatus: 409 },
  PK_NOT_CHALLENGER: { code: 14004, msg: 'only the current challenger can leave the PK', httpStatus: 403 },
});

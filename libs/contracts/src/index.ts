/**
 * @live/contracts: every message that crosses a process boundary.
 *  - kafka/  topics, consumer groups, one folder per event (key + value class), decodeMessage
 *  - rpc/    TCP message patterns per service, client tokens, request/response DTOs
 *  - im/     the WebSocket protocol between clients and im-core, and the gift push payloads
 *  - integrity/  send_gift signatures (HMAC, rotating key ids) and request fingerprints
 *  - stores/ readers an owner publishes for a table another app reads (t_living_room's anchors)
 * Depends on nothing in the workspace: only class-validator, class-transformer and node:crypto.
 */
export * from './validation';
export * from './kafka';
export * from './rpc';
export * from './im';
export * from './integrity';
export * from './stores';

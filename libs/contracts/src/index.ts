/**
 * @live/contracts: every message that crosses a process boundary.
 *  - kafka/  topics, consumer groups, one folder per event (key + value class), decodeMessage
 *  - rpc/    TCP message patterns per service, client tokens, request/response DTOs
 *  - im/     the WebSocket protocol between clients and im-core, and the gift push payloads
 * Depends on nothing in the workspace: only class-validator and class-transformer.
 */
export * from './validation';
export * from './kafka';
export * from './rpc';
export * from './im';

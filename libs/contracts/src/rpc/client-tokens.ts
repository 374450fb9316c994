/**
 * Injection tokens of the TCP RPC clients (ClientsModule.register([{ name: BANK_SERVICE, ... }]),
 * then `@Inject(BANK_SERVICE) private readonly bank: ClientProxy`).
 * IM_CORE names the client of ONE im-core node; im-router builds one per node address it finds in Redis.
 */
export const BANK_SERVICE = 'BANK_SERVICE';
export const GIFT_SERVICE = 'GIFT_SERVICE';
export const IM_ROUTER = 'IM_ROUTER';
export const IM_CORE = 'IM_CORE';

/**
 * Injection tokens of the TCP transports (RpcClientsModule, internal: apps inject the typed clients,
 * BankClient... in @live/common). (im-router's per-node im-core clients are built
 * by im-router itself, from the node registry.)
 */
export const BANK_SERVICE = 'BANK_SERVICE';
export const GIFT_SERVICE = 'GIFT_SERVICE';
export const IM_ROUTER = 'IM_ROUTER';

import { ValidateBy } from 'class-validator';

/** Where one instance of a service listens for TCP RPC. */
export interface RpcAddress {
  host: string;
  port: number;
}

/** Most instances one caller spreads a service's calls over. */
export const RPC_MAX_ADDRESSES = 64;

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/**
 * `host:port[,host:port...]` (spaces around commas allowed; an IPv6 address in brackets, `[::1]:9102`)
 * as addresses; throws an Error naming the first bad entry. Hosts are names or IPv4 addresses; ports
 * 1..65535; no address twice; at most RPC_MAX_ADDRESSES.
 */
export function parseRpcAddresses(list: string): RpcAddress[] {
  const entries = list.split(',').map((e) => e.trim());
  if (entries.length > RPC_MAX_ADDRESSES) throw new Error(`more than ${RPC_MAX_ADDRESSES} addresses`);
  const seen = new Set<string>();
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(':');
    const host = entry.slice(0, colon);
    const port = entry.slice(colon + 1);
    if (colon < 0 || !HOST.test(host) || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535)
      throw new Error(`"${entry}" is not host:port`);
    const key = `${host.toLowerCase()}:${Number(port)}`;
    if (seen.has(key)) throw new Error(`"${entry}" appears twice`);
    seen.add(key);
    return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: Number(port) };
  });
}

/** `host:port` as logs and health reports name an instance (IPv6 in brackets). */
export function rpcAddressKey(address: RpcAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * The instances a caller spreads its calls over: the `*_RPC_ADDRESSES` list when set, else the one
 * `*_RPC_HOST`:`*_RPC_PORT` (the single-instance settings, as before the lists existed).
 */
export function rpcAddresses(list: string | undefined, host: string, port: number): RpcAddress[] {
  return list === undefined || list.trim() === '' ? [{ host, port }] : parseRpcAddresses(list);
}

/** Validates a `*_RPC_ADDRESSES` setting (parseRpcAddresses), naming the first bad entry. */
export function RpcAddressList(): PropertyDecorator {
  return ValidateBy({
    name: 'isRpcAddressList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && whyNotAddressList(value) === null,
      defaultMessage: (args) =>
        `${args?.property} must be a comma-separated list of host:port: ${whyNotAddressList(args?.value) ?? ''}`,
    },
  });
}

function whyNotAddressList(value: unknown): string | null {
  if (typeof value !== 'string') return 'not a string';
  try {
    parseRpcAddresses(value);
    return null;
  } catch (err: unknown) {
    return (err as Error).message;
  }
}

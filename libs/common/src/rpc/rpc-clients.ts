import { BANK_SERVICE, GIFT_SERVICE, IM_ROUTER } from '@live/contracts';
import { IsOptional } from 'class-validator';
import { HostSetting, IsPort } from '../config';
import { rpcAddresses, RpcAddressList } from './rpc-addresses';
import { rpcClient, RpcClientSpec } from './rpc-clients.module';
import { BankClient, GiftClient, ImRouterClient } from './typed-clients';

/**
 * Where bank-service's TCP RPC listens: BANK_RPC_ADDRESSES (`host:port,host:port`, every instance; calls
 * are spread over them, rpc-balancer.ts) or, unset, the one BANK_RPC_HOST:BANK_RPC_PORT (BANK_RPC_PORT is
 * also what bank-service binds).
 */
export class BankClientEnv {
  @HostSetting()
  BANK_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  BANK_RPC_PORT: number = 9102;

  @IsOptional()
  @RpcAddressList()
  BANK_RPC_ADDRESSES?: string;
}

/** Where gift-service's TCP RPC listens: GIFT_RPC_ADDRESSES, or GIFT_RPC_HOST:GIFT_RPC_PORT. */
export class GiftClientEnv {
  @HostSetting()
  GIFT_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  GIFT_RPC_PORT: number = 9101;

  @IsOptional()
  @RpcAddressList()
  GIFT_RPC_ADDRESSES?: string;
}

/** Where im-router's TCP RPC listens: IM_ROUTER_RPC_ADDRESSES, or IM_ROUTER_RPC_HOST:IM_ROUTER_RPC_PORT. */
export class ImRouterClientEnv {
  @HostSetting()
  IM_ROUTER_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  IM_ROUTER_RPC_PORT: number = 9103;

  @IsOptional()
  @RpcAddressList()
  IM_ROUTER_RPC_ADDRESSES?: string;
}

/** For RpcClientsModule.register(caller, [...], timeout): each client reads its addresses from its env class. */
export const BANK_SERVICE_CLIENT: RpcClientSpec = rpcClient(
  'bank-service',
  BANK_SERVICE,
  BankClient,
  BankClientEnv,
  (e) => rpcAddresses(e.BANK_RPC_ADDRESSES, e.BANK_RPC_HOST, e.BANK_RPC_PORT),
);
export const GIFT_SERVICE_CLIENT: RpcClientSpec = rpcClient(
  'gift-service',
  GIFT_SERVICE,
  GiftClient,
  GiftClientEnv,
  (e) => rpcAddresses(e.GIFT_RPC_ADDRESSES, e.GIFT_RPC_HOST, e.GIFT_RPC_PORT),
);
export const IM_ROUTER_CLIENT: RpcClientSpec = rpcClient(
  'im-router',
  IM_ROUTER,
  ImRouterClient,
  ImRouterClientEnv,
  (e) => rpcAddresses(e.IM_ROUTER_RPC_ADDRESSES, e.IM_ROUTER_RPC_HOST, e.IM_ROUTER_RPC_PORT),
);

import { BANK_SERVICE, GIFT_SERVICE, IM_ROUTER } from '@live/contracts';
import { HostSetting, IsPort } from '../config';
import { rpcClient, RpcClientSpec } from './rpc-clients.module';
import { BankClient, GiftClient, ImRouterClient } from './typed-clients';

/** Where bank-service's TCP RPC listens (BANK_RPC_PORT is also what bank-service binds). */
export class BankClientEnv {
  @HostSetting()
  BANK_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  BANK_RPC_PORT: number = 9102;
}

/** Where gift-service's TCP RPC listens. */
export class GiftClientEnv {
  @HostSetting()
  GIFT_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  GIFT_RPC_PORT: number = 9101;
}

/** Where im-router's TCP RPC listens. */
export class ImRouterClientEnv {
  @HostSetting()
  IM_ROUTER_RPC_HOST: string = '127.0.0.1';

  @IsPort()
  IM_ROUTER_RPC_PORT: number = 9103;
}

/** For RpcClientsModule.register(caller, [...], timeout): each client reads its address from its env class. */
export const BANK_SERVICE_CLIENT: RpcClientSpec = rpcClient(BANK_SERVICE, BankClient, BankClientEnv, (e) => ({
  host: e.BANK_RPC_HOST,
  port: e.BANK_RPC_PORT,
}));
export const GIFT_SERVICE_CLIENT: RpcClientSpec = rpcClient(GIFT_SERVICE, GiftClient, GiftClientEnv, (e) => ({
  host: e.GIFT_RPC_HOST,
  port: e.GIFT_RPC_PORT,
}));
export const IM_ROUTER_CLIENT: RpcClientSpec = rpcClient(IM_ROUTER, ImRouterClient, ImRouterClientEnv, (e) => ({
  host: e.IM_ROUTER_RPC_HOST,
  port: e.IM_ROUTER_RPC_PORT,
}));

import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ClientProxy } from '@nestjs/microservices';
import { ClassConstructor } from 'class-transformer';
import { declareEnv, validateEnv } from '../config';
import { createRpcClient } from './rpc-transport';
import { TypedRpcClientClass } from './typed-clients';

/** One TCP RPC client: its typed class, its transport's token and where its address comes from (a validated env class). */
export interface RpcClientSpec {
  token: string;
  /** What the app injects (BankClient...): the only holder of the transport. */
  client: TypedRpcClientClass;
  /** The env class the address comes from (validated up front with the app's own, see declareEnv). */
  env: ClassConstructor<object>;
  /** Resolves the address; throws ConfigValidationError on bad settings (the app refuses to start). */
  resolve(): { host: string; port: number };
}

/** `rpcClient(BANK_SERVICE, BankClient, BankClientEnv, (e) => ({ host: e.BANK_RPC_HOST, port: e.BANK_RPC_PORT }))` */
export function rpcClient<E extends object>(
  token: string,
  client: TypedRpcClientClass,
  env: ClassConstructor<E>,
  address: (env: E) => { host: string; port: number },
): RpcClientSpec {
  return { token, client, env, resolve: () => address(validateEnv(env)) };
}

/** The calling app's RPC timeout, read from its validated env class (`rpcTimeout(GiftServiceEnv, (e) => e.GIFT_RPC_TIMEOUT_MS)`). */
export interface RpcTimeoutSpec {
  env: ClassConstructor<object>;
  resolve(): number;
}

export function rpcTimeout<E extends object>(env: ClassConstructor<E>, ms: (env: E) => number): RpcTimeoutSpec {
  return { env, resolve: () => ms(validateEnv(env)) };
}

const RPC_CLIENT_TOKENS = Symbol('RPC_CLIENT_TOKENS');

@Injectable()
class RpcClientsCloser implements OnApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(RPC_CLIENT_TOKENS) private readonly tokens: string[],
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const token of this.tokens) await this.moduleRef.get<ClientProxy>(token, { strict: false }).close();
  }
}

/**
 * The typed clients of the remote services (`constructor(private readonly bank: BankClient)`), each
 * with the caller's timeout. Their TCP transports are connected lazily on the first call (Nest
 * reconnects a dropped connection on the next call) and closed at shutdown; they are not exported.
 * Every request is signed with RPC_AUTH_SECRET in the name of `caller` (rpc-auth.ts).
 */
@Module({})
export class RpcClientsModule {
  static register(caller: string, specs: RpcClientSpec[], timeout: RpcTimeoutSpec): DynamicModule {
    specs.forEach((spec) => declareEnv(spec.env));
    declareEnv(timeout.env);
    const logger = new Logger('RpcClients');
    const clients = specs.map((spec) => ({
      provide: spec.token,
      useFactory: (): ClientProxy => {
        const { host, port } = spec.resolve();
        logger.log(`${spec.token} -> tcp://${host}:${port}`);
        return createRpcClient(caller, { host, port });
      },
    }));
    const typed = specs.map((spec) => ({
      provide: spec.client,
      useFactory: (proxy: ClientProxy): object => new spec.client(proxy, timeout.resolve()),
      inject: [spec.token],
    }));
    return {
      module: RpcClientsModule,
      providers: [
        ...clients,
        ...typed,
        { provide: RPC_CLIENT_TOKENS, useValue: specs.map((s) => s.token) },
        RpcClientsCloser,
      ],
      exports: specs.map((s) => s.client),
    };
  }
}

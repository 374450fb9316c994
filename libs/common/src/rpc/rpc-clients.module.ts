import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ClientProxy } from '@nestjs/microservices';
import { ClassConstructor } from 'class-transformer';
import { declareEnv, validateEnv } from '../config';
import { createRpcClient } from './rpc-transport';

/** One TCP RPC client: its injection token and where its address comes from (a validated env class). */
export interface RpcClientSpec {
  token: string;
  /** The env class the address comes from (validated up front with the app's own, see declareEnv). */
  env: ClassConstructor<object>;
  /** Resolves the address; throws ConfigValidationError on bad settings (the app refuses to start). */
  resolve(): { host: string; port: number };
}

/** `rpcClient(BANK_SERVICE, BankClientEnv, (e) => ({ host: e.BANK_RPC_HOST, port: e.BANK_RPC_PORT }))` */
export function rpcClient<E extends object>(
  token: string,
  env: ClassConstructor<E>,
  address: (env: E) => { host: string; port: number },
): RpcClientSpec {
  return { token, env, resolve: () => address(validateEnv(env)) };
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
 * TCP RPC clients, injected by token (`@Inject(BANK_SERVICE) bank: ClientProxy`), connected lazily on
 * the first call (Nest reconnects a dropped connection on the next call), closed at shutdown.
 * Every request is signed with RPC_AUTH_SECRET in the name of `caller` (rpc-auth.ts).
 * Call them with rpcCall (timeouts, remote BizExceptions rebuilt).
 */
@Module({})
export class RpcClientsModule {
  static register(caller: string, specs: RpcClientSpec[]): DynamicModule {
    specs.forEach((spec) => declareEnv(spec.env));
    const logger = new Logger('RpcClients');
    const clients = specs.map((spec) => ({
      provide: spec.token,
      useFactory: (): ClientProxy => {
        const { host, port } = spec.resolve();
        logger.log(`${spec.token} -> tcp://${host}:${port}`);
        return createRpcClient(caller, { host, port });
      },
    }));
    return {
      module: RpcClientsModule,
      providers: [...clients, { provide: RPC_CLIENT_TOKENS, useValue: specs.map((s) => s.token) }, RpcClientsCloser],
      exports: specs.map((s) => s.token),
    };
  }
}

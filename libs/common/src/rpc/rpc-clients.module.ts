import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ClassConstructor } from 'class-transformer';
import { declareEnv, validateEnv } from '../config';
import { HealthDetails } from '../health';
import { RpcAddress, rpcAddressKey } from './rpc-addresses';
import { RpcBalancer } from './rpc-balancer';
import { createRpcClient } from './rpc-transport';
import { TypedRpcClientClass } from './typed-clients';

/** One remote service: its name, its typed class, its transport's token and where its addresses come from. */
export interface RpcClientSpec {
  /** The service's name in logs and in /health's `rpcClients`. */
  service: string;
  token: string;
  /** What the app injects (BankClient...): the only holder of the transport. */
  client: TypedRpcClientClass;
  /** The env class the addresses come from (validated up front with the app's own, see declareEnv). */
  env: ClassConstructor<object>;
  /** Resolves every instance's address; throws ConfigValidationError on bad settings (the app refuses to start). */
  resolve(): RpcAddress[];
}

/** `rpcClient('bank-service', BANK_SERVICE, BankClient, BankClientEnv, (e) => rpcAddresses(e.BANK_RPC_ADDRESSES, ...))` */
export function rpcClient<E extends object>(
  service: string,
  token: string,
  client: TypedRpcClientClass,
  env: ClassConstructor<E>,
  addresses: (env: E) => RpcAddress[],
): RpcClientSpec {
  return { service, token, client, env, resolve: () => addresses(validateEnv(env)) };
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

/** Shows the calls each instance answered in /health (`rpcClients`, when the app has HealthModule); closes the transports. */
@Injectable()
class RpcClientsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(RPC_CLIENT_TOKENS) private readonly tokens: string[],
  ) {}

  onApplicationBootstrap(): void {
    let details: HealthDetails;
    try {
      details = this.moduleRef.get(HealthDetails, { strict: false });
    } catch {
      return; // no HealthModule in this app
    }
    const balancers = this.balancers();
    details.add('rpcClients', () => Object.fromEntries(balancers.map((b) => [b.service, b.answered()])));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const balancer of this.balancers()) await balancer.close();
  }

  private balancers(): RpcBalancer[] {
    return this.tokens.map((token) => this.moduleRef.get<RpcBalancer>(token, { strict: false }));
  }
}

/**
 * The typed clients of the remote services (`constructor(private readonly bank: BankClient)`), each
 * with the caller's timeout, each spreading its calls over every instance of its service (RpcBalancer:
 * one signed TCP client per address, health-aware round robin). The TCP transports are connected lazily
 * on the first call and closed at shutdown; they are not exported. Every request is signed with
 * RPC_AUTH_SECRET in the name of `caller` (rpc-auth.ts).
 */
@Module({})
export class RpcClientsModule {
  static register(caller: string, specs: RpcClientSpec[], timeout: RpcTimeoutSpec): DynamicModule {
    specs.forEach((spec) => declareEnv(spec.env));
    declareEnv(timeout.env);
    const logger = new Logger('RpcClients');
    const clients = specs.map((spec) => ({
      provide: spec.token,
      useFactory: (): RpcBalancer => {
        const addresses = spec.resolve();
        logger.log(`${spec.service} -> ${addresses.map((a) => `tcp://${rpcAddressKey(a)}`).join(', ')}`);
        const instances = addresses.map((a) => ({ key: rpcAddressKey(a), proxy: createRpcClient(caller, a) }));
        return new RpcBalancer(spec.service, instances);
      },
    }));
    const typed = specs.map((spec) => ({
      provide: spec.client,
      useFactory: (balancer: RpcBalancer): object => new spec.client(balancer, timeout.resolve()),
      inject: [spec.token],
    }));
    return {
      module: RpcClientsModule,
      providers: [
        ...clients,
        ...typed,
        { provide: RPC_CLIENT_TOKENS, useValue: specs.map((s) => s.token) },
        RpcClientsLifecycle,
      ],
      exports: specs.map((s) => s.client),
    };
  }
}

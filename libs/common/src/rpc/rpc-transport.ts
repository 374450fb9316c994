import { Logger } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, MicroserviceOptions, Transport } from '@nestjs/microservices';
import { declareEnv } from '../config';
import { RpcAuth, RpcAuthEnv } from './rpc-auth';
import { rpcClientSocketClass, RpcServedCounter, rpcServerSocketClass } from './rpc-auth-socket';

const logger = new Logger('RpcAuth');

// Every app of this system speaks RPC (as a server, a caller or both): its key is checked with the app's
// own settings before anything starts (the production profile refuses a missing, short or published one).
declareEnv(RpcAuthEnv);

/**
 * The TCP RPC listener of a service: only signed, fresh requests reach its handlers (rpc-auth.ts).
 * `auth` defaults to RPC_AUTH_SECRET from the environment (ConfigValidationError when missing or short).
 * `counter` counts the calls it answers (startApp shows it in /health as `rpc.served`).
 */
export function rpcServerOptions(
  name: string,
  address: { host: string; port: number },
  auth = RpcAuth.fromEnv(name),
  counter = new RpcServedCounter(),
): MicroserviceOptions {
  return {
    transport: Transport.TCP,
    options: { host: address.host, port: address.port, socketClass: rpcServerSocketClass(auth, logger, counter) },
  };
}

/** A TCP RPC client that signs its requests and accepts only signed answers. Call it with rpcCall. */
export function createRpcClient(
  caller: string,
  address: { host: string; port: number },
  auth = RpcAuth.fromEnv(caller),
): ClientProxy {
  return ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: address.host, port: address.port, socketClass: rpcClientSocketClass(auth, logger) },
  });
}

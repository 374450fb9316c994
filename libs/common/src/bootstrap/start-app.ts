import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestMicroservice } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ClassConstructor } from 'class-transformer';
import { ConfigValidationError, loadEnvOrExit } from '../config';
import { HttpExceptionFilter, RpcBizExceptionFilter } from '../filters';
import { HealthDetails } from '../health';
import { REQUEST_LOG_ROOT, RequestLogRoot, requestLogContext } from '../logging';
import { RpcServerEnv } from '../rpc/rpc-auth';
import { RpcServedCounter } from '../rpc/rpc-auth-socket';
import { rpcServerOptions } from '../rpc/rpc-transport';
import {
  attachBodyValidation,
  BODY_SCHEMA_AJV,
  BodySchemaGuard,
  createValidationPipe,
  digitStringsToIntegers,
} from '../validation';
import { boundConnections, HttpServerEnv } from './http-connections';
import { clientErrorReply, frameworkErrorReply, noSniff, refuseMisshapenBodies } from './http-edges';
import { enableShutdown, ShutdownEnv } from './shutdown-deadline';
import { DependencyNotReadyError } from './wait-for';

/**
 * Fastify's trustProxy: false (the socket's address is the client's), a hop count, or the proxies'
 * addresses/CIDRs. Trusted proxies' X-Forwarded-For decides request.ip (rate limits per address).
 */
export type TrustProxy = false | number | string[];

export interface StartAppOptions {
  /** Name in logs and /health. */
  app: string;
  module: Type<unknown> | DynamicModule;
  http: {
    host: string;
    port: number;
    bodyLimitBytes?: number;
    trustProxy?: TrustProxy;
    /** Connection bounds (HttpServerEnv; runApp reads them): none when absent (specs' own servers). */
    connections?: { maxPerAddress: number; idleTimeoutMs: number };
  };
  /** TCP RPC listener, for services other apps call: only requests signed with RPC_AUTH_SECRET reach it. */
  rpc?: { host: string; port: number };
  /** From the first SIGTERM/SIGINT, the stop's deadline (ShutdownEnv; runApp reads it): none when absent (specs). */
  shutdownDeadlineMs?: number;
  /** Extra wiring before listen (cookies, OpenAPI, WebSocket upgrade...). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

/**
 * Starts one app: Fastify HTTP (always: /health; with an RPC listener, its report counts the calls
 * answered: `rpc: { served }`), optional TCP RPC, pino logs, the one HTTP filter,
 * the one RPC filter, the one validation pipe (and, for routes with a body schema, Fastify's compiled
 * validator held to its rules: validation/body-schema.ts), graceful shutdown on SIGTERM/SIGINT
 * (within `shutdownDeadlineMs`, else a logged exit 1).
 * A bad configuration stops the process with a message that names every bad variable.
 */
export async function startApp(options: StartAppOptions): Promise<NestFastifyApplication> {
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      options.module,
      new FastifyAdapter({
        bodyLimit: options.http.bodyLimitBytes ?? 64 * 1024,
        trustProxy: options.http.trustProxy ?? false,
        ajv: BODY_SCHEMA_AJV,
        frameworkErrors: frameworkErrorReply,
        clientErrorHandler: clientErrorReply,
      }),
      { bufferLogs: true, abortOnError: false },
    );
    app.useLogger(app.get(Logger));
    if (options.http.connections) boundConnections(app.getHttpServer(), options.http.connections);
    app.useGlobalFilters(new HttpExceptionFilter());
    app.useGlobalPipes(createValidationPipe());
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRequest', requestLogContext(app.get<RequestLogRoot>(REQUEST_LOG_ROOT, { strict: false })));
    fastify.addHook('onRequest', noSniff);
    refuseMisshapenBodies(app);
    fastify.addHook('preValidation', digitStringsToIntegers);
    fastify.addHook('onRoute', attachBodyValidation);
    app.useGlobalGuards(new BodySchemaGuard());
    enableShutdown(app, options.app, options.shutdownDeadlineMs ?? 0);
    await options.configure?.(app);
    await app.init();
    if (options.rpc) {
      // Deferred: the RPC handlers are built when the listener starts, so the filter and the pipe
      // registered here apply to every pattern (registering them on an initialized hybrid does nothing).
      const counter = new RpcServedCounter();
      app.get(HealthDetails, { strict: false }).add('rpc', () => ({ served: counter.served }));
      const ms = app.connectMicroservice(rpcServerOptions(options.app, options.rpc, undefined, counter), {
        inheritAppConfig: false,
        deferInitialization: true,
      }) as NestMicroservice;
      ms.useGlobalFilters(new RpcBizExceptionFilter());
      ms.useGlobalPipes(createValidationPipe());
      ms.setIsInitHookCalled(true); // the app's init above already ran every module's init hooks
      await app.startAllMicroservices();
    }
    await app.listen(options.http.port, options.http.host);
    const rpc = options.rpc ? ` rpc=tcp://${options.rpc.host}:${options.rpc.port}` : '';
    app.get(Logger).log(`${options.app} up: http://${options.http.host}:${options.http.port}${rpc}`);
    return app;
  } catch (err: unknown) {
    await closeQuietly(app);
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`[${options.app}] refusing to start: ${err.message}\n`);
    } else if (err instanceof DependencyNotReadyError) {
      process.stderr.write(`[${options.app}] could not start: ${err.message}\n`);
    } else {
      process.stderr.write(
        `[${options.app}] failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
    process.exit(1);
  }
}

async function closeQuietly(app: INestApplication | undefined): Promise<void> {
  try {
    await app?.close();
  } catch {
    // already failing: the original error is what the operator needs to see
  }
}

export interface RunAppOptions<E extends object> extends Omit<StartAppOptions, 'http' | 'rpc'> {
  /** The app's own config class, validated before anything starts. */
  env: ClassConstructor<E>;
  /** Where to listen, read from the validated config (`host`: HTTP and WebSocket; RPC binds RPC_BIND_HOST). */
  listen: (env: E) => { host: string; http: number; rpc?: number; bodyLimitBytes?: number; trustProxy?: TrustProxy };
}

/** main.ts in one call: validate the app's config (exit with a clear message if bad), then startApp. */
export async function runApp<E extends object>(options: RunAppOptions<E>): Promise<NestFastifyApplication> {
  const env = loadEnvOrExit(options.app, options.env);
  const where = options.listen(env);
  const rpcHost = where.rpc === undefined ? undefined : loadEnvOrExit(options.app, RpcServerEnv).RPC_BIND_HOST;
  const http = loadEnvOrExit(options.app, HttpServerEnv);
  const shutdown = loadEnvOrExit(options.app, ShutdownEnv);
  // Behind a trusted proxy every connection comes from it: the per-address bound is the proxy's to apply.
  const proxied = where.trustProxy !== undefined && where.trustProxy !== false;
  return startApp({
    ...options,
    http: {
      host: where.host,
      port: where.http,
      bodyLimitBytes: where.bodyLimitBytes,
      trustProxy: where.trustProxy,
      connections: {
        maxPerAddress: proxied ? 0 : http.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
        idleTimeoutMs: http.HTTP_IDLE_TIMEOUT_MS,
      },
    },
    shutdownDeadlineMs: shutdown.SHUTDOWN_DEADLINE_MS,
    rpc: rpcHost === undefined || where.rpc === undefined ? undefined : { host: rpcHost, port: where.rpc },
  });
}

import { Logger } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { withDeadline } from '../async';
import { BaseErrorCode, BizException } from '../errors';
import { RPC_PING_PATTERN } from './rpc-auth-socket';
import { rpcFailure, rpcFailureReason } from './rpc-call';

/** Longest wait for a connection to an instance: past it the call goes to the next (nothing was sent). */
export const RPC_CONNECT_TIMEOUT_MS = 1_000;
/** A down instance is first probed this long after it went down, then twice as long each time... */
export const RPC_PROBE_FIRST_MS = 1_000;
/** ...up to this. */
export const RPC_PROBE_MAX_MS = 4_000;
/** A probe (a signed ping answered by the listener's event loop) that takes longer fails. */
export const RPC_PROBE_TIMEOUT_MS = 1_000;

/** One instance: its signed connection, whether it is in the rotation, the calls it answered. */
class RpcInstance {
  live = true;
  answered = 0;
  probeDelay = RPC_PROBE_FIRST_MS;
  probeTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly key: string,
    readonly proxy: ClientProxy,
  ) {}
}

/** How one attempt ended when no answer came: `sent` false when the request surely never left. */
type Attempt<T> = { ok: true; value: T } | { ok: false; sent: boolean; why: string };

/**
 * The calls of one caller to one service, spread over every instance of it (one signed TCP client per
 * address, rpc-transport.ts): health-aware round robin.
 *
 * - Each call goes to the next live instance in turn.
 * - An instance that refuses or drops the connection, or lets a call time out, is marked down at once
 *   (so a hung one costs one timeout, not one per call) and probed with a signed ping after 1 s, then
 *   2 s, then every 4 s; it returns to the rotation when a probe is answered.
 * - The failed call is retried once, on the next live instance, only when that is safe: always when the
 *   request never left (no connection within RPC_CONNECT_TIMEOUT_MS, connection refused), and after it
 *   may have reached the instance (a timeout, a connection dropped mid-call) only when the caller says the
 *   operation is idempotent (`retryAfterSend`, see TypedRpcClient).
 * - No live instance: the call (and its one retry) goes to down ones anyway, in turn (as a single client
 *   did before: a restarted instance is used at once); if that fails too, SERVICE_UNAVAILABLE.
 * A remote BizException (or any answer) is an answer: the instance is live and the call is not retried.
 */
export class RpcBalancer {
  private readonly logger = new Logger(RpcBalancer.name);
  private readonly instances: RpcInstance[];
  private cursor = 0;
  private closed = false;

  constructor(
    readonly service: string,
    instances: { key: string; proxy: ClientProxy }[],
  ) {
    if (instances.length === 0) throw new Error(`RpcBalancer(${service}): no address`);
    this.instances = instances.map((i) => new RpcInstance(i.key, i.proxy));
  }

  async call<T>(pattern: string, data: unknown, timeoutMs: number, retryAfterSend: boolean): Promise<T> {
    const first = this.next(null) ?? this.lastResort(null)!;
    const tried = await this.attempt<T>(first, pattern, data, timeoutMs);
    if (tried.ok) return tried.value;
    this.markDown(first, tried.why);
    const second = !tried.sent || retryAfterSend ? (this.next(first) ?? this.lastResort(first)) : null;
    if (!second) throw this.unavailable(pattern, first, tried.why);
    const again = await this.attempt<T>(second, pattern, data, timeoutMs);
    if (again.ok) return again.value;
    this.markDown(second, again.why);
    throw this.unavailable(pattern, second, again.why);
  }

  /** Calls answered per instance (`host:port` -> n): the caller's /health `rpcClients.<service>`. */
  answered(): Record<string, number> {
    return Object.fromEntries(this.instances.map((i) => [i.key, i.answered]));
  }

  /** The instances in the rotation now. */
  liveInstances(): string[] {
    return this.instances.filter((i) => i.live).map((i) => i.key);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const i of this.instances) {
      if (i.probeTimer) clearTimeout(i.probeTimer);
      await i.proxy.close();
    }
  }

  /** The next live instance after the last one used, other than `not`. */
  private next(not: RpcInstance | null): RpcInstance | null {
    const n = this.instances.length;
    for (let step = 0; step < n; step += 1) {
      const candidate = this.instances[(this.cursor + step) % n];
      if (candidate.live && candidate !== not) {
        this.cursor = (this.cursor + step + 1) % n;
        return candidate;
      }
    }
    return null;
  }

  /** Every instance is down: the next one in turn other than `not`, tried anyway. */
  private lastResort(not: RpcInstance | null): RpcInstance | null {
    const n = this.instances.length;
    for (let step = 0; step < n; step += 1) {
      const candidate = this.instances[(this.cursor + step) % n];
      if (candidate !== not) {
        this.cursor = (this.cursor + step + 1) % n;
        return candidate;
      }
    }
    return null;
  }

  private async attempt<T>(instance: RpcInstance, pattern: string, data: unknown, ms: number): Promise<Attempt<T>> {
    const connected = await this.connect(instance, Math.min(ms, RPC_CONNECT_TIMEOUT_MS));
    if (connected) return { ok: false, sent: false, why: connected };
    try {
      const value = await firstValueFrom(instance.proxy.send<T>({ cmd: pattern }, data).pipe(timeout(ms)));
      this.answeredBy(instance);
      return { ok: true, value };
    } catch (err: unknown) {
      // Transport failures are Errors (a timeout, 'Connection closed', a socket error); an error the
      // remote side answered (a BizException's payload, Nest's own) is a plain object or a string.
      if (!(err instanceof Error)) {
        this.answeredBy(instance);
        throw rpcFailure(pattern, err, ms);
      }
      const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      return { ok: false, sent: !refused, why: rpcFailureReason(err, ms) };
    }
  }

  /** null when connected; else why not (the connection is reset, so the next try dials afresh). */
  private async connect(instance: RpcInstance, ms: number): Promise<string | null> {
    try {
      await withDeadline(instance.proxy.connect(), ms, () => new Error(`no connection within ${ms} ms`));
      return null;
    } catch (err: unknown) {
      instance.proxy.close();
      return `connect: ${rpcFailureReason(err, ms)}`;
    }
  }

  private answeredBy(instance: RpcInstance): void {
    instance.answered += 1;
    if (!instance.live) this.markUp(instance, 'it answered a call');
  }

  private markDown(instance: RpcInstance, why: string): void {
    if (!instance.live || this.closed) return;
    instance.live = false;
    this.logger.warn(`${this.service} ${instance.key} is down (${why}): out of the rotation, probing it`);
    this.scheduleProbe(instance);
  }

  private markUp(instance: RpcInstance, why: string): void {
    instance.live = true;
    instance.probeDelay = RPC_PROBE_FIRST_MS;
    if (instance.probeTimer) clearTimeout(instance.probeTimer);
    instance.probeTimer = null;
    this.logger.log(`${this.service} ${instance.key} is back in the rotation (${why})`);
  }

  private scheduleProbe(instance: RpcInstance): void {
    if (instance.probeTimer) clearTimeout(instance.probeTimer);
    instance.probeTimer = setTimeout(() => void this.probe(instance), instance.probeDelay);
    instance.probeTimer.unref();
    instance.probeDelay = Math.min(instance.probeDelay * 2, RPC_PROBE_MAX_MS);
  }

  private async probe(instance: RpcInstance): Promise<void> {
    instance.probeTimer = null;
    if (instance.live || this.closed) return;
    const failed = await this.connect(instance, RPC_PROBE_TIMEOUT_MS);
    let answered = !failed;
    if (answered) {
      try {
        const ping = instance.proxy.send({ cmd: RPC_PING_PATTERN }, {}).pipe(timeout(RPC_PROBE_TIMEOUT_MS));
        await firstValueFrom(ping);
      } catch (err: unknown) {
        answered = !(err instanceof Error); // an error answer is an answer too
      }
    }
    if (instance.live || this.closed) return;
    if (answered) this.markUp(instance, 'a probe was answered');
    else this.scheduleProbe(instance);
  }

  private unavailable(pattern: string, last: RpcInstance, why: string): BizException {
    const live = this.liveInstances();
    const where = `${this.service} ${last.key}: ${why}; live: ${live.length > 0 ? live.join(', ') : 'none'}`;
    return new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, `${pattern}: ${where}`);
  }
}

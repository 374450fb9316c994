import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { BaseErrorCode, BizException, isBizErrorPayload } from '../errors';

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/**
 * Sends one TCP RPC and waits for its answer. A BizException thrown by the remote handler comes back
 * as the same BizException; a timeout or a dead peer becomes SERVICE_UNAVAILABLE (503).
 */
export async function rpcCall<TResult, TInput = unknown>(
  client: ClientProxy,
  pattern: string,
  data: TInput,
  timeoutMs = DEFAULT_RPC_TIMEOUT_MS,
): Promise<TResult> {
  try {
    return await firstValueFrom(client.send<TResult, TInput>({ cmd: pattern }, data).pipe(timeout(timeoutMs)));
  } catch (err: unknown) {
    throw rpcFailure(pattern, err, timeoutMs);
  }
}

/** A failed call as its caller sees it: the remote BizException, or SERVICE_UNAVAILABLE naming the pattern and why. */
export function rpcFailure(pattern: string, err: unknown, timeoutMs: number): BizException {
  if (isBizErrorPayload(err)) return BizException.fromPayload(err);
  return new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, `${pattern}: ${rpcFailureReason(err, timeoutMs)}`);
}

export function rpcFailureReason(err: unknown, timeoutMs: number): string {
  if (err instanceof TimeoutError) return `timed out after ${timeoutMs} ms`;
  return (err as Error)?.message ?? String(err);
}

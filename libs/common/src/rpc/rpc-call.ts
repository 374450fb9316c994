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
    if (isBizErrorPayload(err)) throw BizException.fromPayload(err);
    const why =
      err instanceof TimeoutError ? `timed out after ${timeoutMs} ms` : ((err as Error)?.message ?? String(err));
    throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, `${pattern}: ${why}`);
  }
}

import { IsPort } from '@live/common';
import { IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

/** One im-core node's settings. Several nodes run side by side with their own ports and node id. */
export class ImCoreEnv {
  /** Interface the HTTP (and WebSocket) listener binds to; TCP RPC binds RPC_BIND_HOST. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  /** WebSocket (path /ws) and /health. */
  @IsPort()
  IM_CORE_WS_PORT: number = 8090;

  /** TCP RPC the router pushes to. */
  @IsPort()
  IM_CORE_RPC_PORT: number = 9104;

  /** Address other processes use to reach this node (registered in Redis). */
  @IsString()
  @IsNotEmpty()
  IM_CORE_ADVERTISED_HOST: string = '127.0.0.1';

  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'IM_CORE_NODE_ID must be 1-64 letters, digits, _ . -' })
  IM_CORE_NODE_ID: string = 'im-core-0';

  /** A connection silent for longer than this is closed. */
  @IsInt()
  @Min(1000)
  @Max(600_000)
  IM_HEARTBEAT_TIMEOUT_MS: number = 30_000;

  /** An unacked business message is sent again after this long... */
  @IsInt()
  @Min(100)
  @Max(600_000)
  IM_RESEND_INTERVAL_MS: number = 3_000;

  /** ...at most this many more times, then dropped (logged). */
  @IsInt()
  @Min(0)
  @Max(20)
  IM_RESEND_MAX: number = 3;

  /** Largest frame a client may send. */
  @IsInt()
  @Min(256)
  @Max(1_048_576)
  IM_MAX_FRAME_BYTES: number = 8_192;
}

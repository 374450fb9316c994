import { DevConvenience, IsPort } from '@live/common';
import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

/** api-gateway's own settings (database, Redis, Kafka and RPC client settings belong to their modules). */
export class GatewayEnv {
  /** Interface the listeners bind to. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  @IsPort()
  GATEWAY_HTTP_PORT: number = 8080;

  /** Development code channel: /userLogin/sendLoginCode answers the code itself (no SMS provider). */
  @DevConvenience()
  @IsIn(['true', 'false'])
  GATEWAY_DEV_LOGIN_CODE: string = 'false';

  /** How long a login code is valid. */
  @IsInt()
  @Min(30)
  @Max(3_600)
  GATEWAY_LOGIN_CODE_TTL_SECONDS: number = 300;

  /** Login token (cookie `qytk` / bearer) lifetime. */
  @IsInt()
  @Min(1)
  @Max(365)
  GATEWAY_TOKEN_TTL_DAYS: number = 30;

  /** IM token lifetime (it only has to reach the WebSocket login). */
  @IsInt()
  @Min(5)
  @Max(3_600)
  GATEWAY_IM_TOKEN_TTL_SECONDS: number = 60;

  /** Comma-separated phone numbers whose users are admins (gift catalogue writes). */
  @Matches(/^(\+?\d{6,15})?(,\s*\+?\d{6,15})*$/, { message: 'GATEWAY_ADMIN_PHONES must be comma-separated phone numbers' })
  GATEWAY_ADMIN_PHONES: string = '';

  /** WebSocket address handed out when no im-core node has registered itself in Redis. */
  @Matches(/^wss?:\/\/\S+$/, { message: 'GATEWAY_IM_WS_URL must be a ws:// or wss:// URL' })
  GATEWAY_IM_WS_URL: string = 'ws://127.0.0.1:8090/ws';

  /** How long a gift config stays in this process's memory for /gift/send. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  GATEWAY_GIFT_CACHE_MS: number = 5_000;

  /** `true` answers the benchmark baselines under /bench (npm run bench); otherwise they do not exist (404). */
  @DevConvenience()
  @IsIn(['true', 'false'])
  GATEWAY_BENCH_ROUTES: string = 'false';

  /** Send the `qytk` cookie with Secure (behind HTTPS). */
  @IsIn(['true', 'false'])
  GATEWAY_COOKIE_SECURE: string = 'false';

  /** Timeout of one call to another service. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  GATEWAY_RPC_TIMEOUT_MS: number = 5_000;

  /** The web client's static files, served at / (relative to the working directory). */
  @IsString()
  @IsNotEmpty()
  GATEWAY_WEB_DIR: string = 'apps/web-client/public';

  /** Largest accepted request body. */
  @IsInt()
  @Min(1_024)
  @Max(10_485_760)
  GATEWAY_BODY_LIMIT_BYTES: number = 65_536;
}

import { AppEnv, DevConvenience, IntSetting, IsPort, Secret, TrustProxy } from '@live/common';
import { SIGNING_KEY_ID_PATTERN, SIGNING_SECRET_MIN_BYTES } from '@live/contracts';
import { IsIn, IsNotEmpty, IsString, Matches, MinLength, ValidateBy } from 'class-validator';
import { isIP } from 'node:net';

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** `false`, a hop count 1-20, or comma-separated IP addresses / CIDRs / named ranges. Never `true`. */
export function isTrustProxySetting(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value === 'false' || /^(?:[1-9]|1\d|20)$/.test(value)) return true;
  return value.split(',').every((raw) => {
    const entry = raw.trim();
    if (NAMED_RANGES.includes(entry)) return true;
    const [ip, bits, ...rest] = entry.split('/');
    const family = isIP(ip);
    if (family === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
}

/** A WebSocket origin as a CSP source: `ws://` or `wss://`, a host name or an IPv4 / [IPv6] address, a port. */
export function isWsOrigin(value: string): boolean {
  return /^wss?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value.trim());
}

/** GATEWAY_TRUST_PROXY as Fastify takes it. */
export function parseTrustProxy(value: string): TrustProxy {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((a) => a.trim());
}

/** api-gateway's own settings (database, Redis, Kafka and RPC client settings belong to their modules). */
export class GatewayEnv extends AppEnv {
  @IsPort()
  GATEWAY_HTTP_PORT: number = 8080;

  /** Development code channel: /userLogin/sendLoginCode answers the code itself (no SMS provider). */
  @DevConvenience()
  @IsIn(['true', 'false'])
  GATEWAY_DEV_LOGIN_CODE: string = 'false';

  /** How long a login code is valid. */
  @IntSetting(30, 3_600)
  GATEWAY_LOGIN_CODE_TTL_SECONDS: number = 300;

  /**
   * Login codes (SMS) a phone may be sent in 24 h on request of networks that never logged in to it (its
   * owner's known ones are not held to it): a stranger cannot text a phone all day (one a minute would be
   * 1,440). Development profile: 1000000.
   */
  @IntSetting(1, 1_000_000)
  GATEWAY_LOGIN_CODES_PER_PHONE_PER_DAY: number = 10;

  /**
   * Login codes one client address (an IPv4 address, an IPv6 /64) may ask for in 24 h, all phones together:
   * without it one address could have 144,000 texts a day sent (paid per text) and leave 7-day guess records
   * for as many phones. A carrier NAT shares it among its subscribers. Development profile: 1000000.
   */
  @IntSetting(1, 1_000_000)
  GATEWAY_LOGIN_CODES_PER_ADDRESS_PER_DAY: number = 200;

  /** Login token (cookie `qytk` / bearer) lifetime. */
  @IntSetting(1, 365)
  GATEWAY_TOKEN_TTL_DAYS: number = 30;

  /**
   * Login tokens one user holds at once (devices, browsers): a login past it logs the oldest out. Without it each
   * login left a token for GATEWAY_TOKEN_TTL_DAYS, tens of thousands for one account (a code a minute).
   */
  @IntSetting(1, 1_000)
  GATEWAY_SESSIONS_PER_USER: number = 20;

  /** IM token lifetime (it only has to reach the WebSocket login). */
  @IntSetting(5, 3_600)
  GATEWAY_IM_TOKEN_TTL_SECONDS: number = 60;

  /** Comma-separated phone numbers whose users are admins (gift catalogue writes, withdrawal reviews). */
  @Matches(/^(\+?\d{6,15})?(,\s*\+?\d{6,15})*$/, {
    message: 'GATEWAY_ADMIN_PHONES must be comma-separated phone numbers',
  })
  GATEWAY_ADMIN_PHONES: string = '';

  /** WebSocket address handed out when no im-core node has registered itself in Redis. */
  @Matches(/^wss?:\/\/\S+$/, { message: 'GATEWAY_IM_WS_URL must be a ws:// or wss:// URL' })
  GATEWAY_IM_WS_URL: string = 'ws://127.0.0.1:8090/ws';

  /**
   * The WebSocket origins the web client's page may open besides GATEWAY_IM_WS_URL's (its Content-Security-Policy
   * connect-src), comma-separated `ws://host:port` / `wss://host:port`: every im-core node's advertised
   * `ws://IM_CORE_ADVERTISED_HOST:IM_CORE_WS_PORT` that /im/getImConfig may hand out. None: only GATEWAY_IM_WS_URL's.
   */
  @ValidateBy({
    name: 'isWsOriginList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (value === '' || value.split(',').every(isWsOrigin)),
      defaultMessage: () =>
        'GATEWAY_WEB_WS_ORIGINS must be comma-separated ws:// or wss:// origins (scheme, host, port)',
    },
  })
  GATEWAY_WEB_WS_ORIGINS: string = '';

  /** How long a gift config stays in this process's memory for /gift/send. */
  @IntSetting(0, 600_000)
  GATEWAY_GIFT_CACHE_MS: number = 5_000;

  /**
   * How long a resolved login token stays in this process's memory (0: every request asks Redis). A logout
   * on any instance drops it from every instance at once (Redis pub/sub; nothing is kept while that is down
   * or silent: see TokenCache). At most 10 s: the bound on a logout missed in a gap too short to lose a ping.
   */
  @IntSetting(0, 10_000)
  GATEWAY_TOKEN_CACHE_MS: number = 5_000;

  /**
   * How long the gateway remembers what an Idempotency-Key was used for (seconds): within it, a reuse with
   * other parameters is refused at once (409); after it, the ledger answers (the same parameters: the first
   * outcome, charged once; others: parked, never charged). Redis holds one claim per gift of the window. The
   * same on every gateway: copies of a send at once age the first's claim by it (IdempotencyKeys).
   */
  @IntSetting(60, 86_400)
  GATEWAY_IDEMPOTENCY_WINDOW_SECONDS: number = 600;

  /**
   * Copies of a gift send at once (one Idempotency-Key and parameters) get one verdict: a first use's checks
   * must end within this less 500 ms (past it: 503, the key released), and a copy whose wallet check refuses
   * it reads the first's claim until it is released (refused: so is the copy) or older than this (accepted: the
   * copy gets its answer). 6 s: the checks' deadline (5.5 s) is past GATEWAY_RPC_TIMEOUT_MS (5 s), so a stalled
   * service times a send out as it did before; a retry right after a send that emptied the wallet waits for it.
   */
  @IntSetting(1_000, 30_000)
  GATEWAY_IDEMPOTENCY_WAIT_MS: number = 6_000;

  /** `true` answers the benchmark baselines under /bench (npm run bench); otherwise they do not exist (404). */
  @DevConvenience()
  @IsIn(['true', 'false'])
  GATEWAY_BENCH_ROUTES: string = 'false';

  /**
   * Origins of other sites' pages that may act with the `qytk` cookie (comma-separated `scheme://host[:port]`,
   * e.g. `https://live.example.com` or a WebView's `capacitor://localhost`; default none): a browser request from
   * any other page's origin that uses the cookie is refused (403), and a login from one sets no cookie. The web
   * client is served by the gateway itself: its origin always passes.
   */
  @Matches(/^([a-z][a-z0-9+.-]*:\/\/[^\s,/]+)?(,\s*[a-z][a-z0-9+.-]*:\/\/[^\s,/]+)*$/i, {
    message: 'GATEWAY_ALLOWED_ORIGINS must be comma-separated origins such as https://live.example.com',
  })
  GATEWAY_ALLOWED_ORIGINS: string = '';

  /** Send the `qytk` cookie with Secure (behind HTTPS). */
  @IsIn(['true', 'false'])
  GATEWAY_COOKIE_SECURE: string = 'false';

  /** Timeout of one call to another service. */
  @IntSetting(100, 60_000)
  GATEWAY_RPC_TIMEOUT_MS: number = 5_000;

  /** The web client's static files, served at / (relative to the working directory). */
  @IsString()
  @IsNotEmpty()
  GATEWAY_WEB_DIR: string = 'apps/web-client/public';

  /**
   * Who may say who the client is (X-Forwarded-For), so per-address limits behind a load balancer see
   * the client: `false` (default: nobody, the socket's address counts), a hop count (`1`: the last proxy
   * in front), or the proxies' addresses / CIDRs, comma-separated (`10.0.0.0/8,192.168.1.7`, also
   * `loopback`, `linklocal`, `uniquelocal`). `true` (anyone) is refused: a client could pick its address.
   */
  @ValidateBy({
    name: 'isTrustProxySetting',
    validator: {
      validate: isTrustProxySetting,
      defaultMessage: () => 'GATEWAY_TRUST_PROXY must be false, a hop count 1-20, or comma-separated addresses/CIDRs',
    },
  })
  GATEWAY_TRUST_PROXY: string = 'false';

  /** Largest accepted request body. */
  @IntSetting(1_024, 10_485_760)
  GATEWAY_BODY_LIMIT_BYTES: number = 65_536;

  /** The id of the key that signs every send_gift message (named in the message, so keys can rotate). */
  @Matches(SIGNING_KEY_ID_PATTERN, { message: 'GIFT_MSG_SIGNING_KEY_ID must be 1-32 of A-Z a-z 0-9 _ . -' })
  GIFT_MSG_SIGNING_KEY_ID: string = '';

  /** Its secret (32+ bytes; gift-service holds it in GIFT_MSG_VERIFY_KEYS). No default: no key, no start. */
  @Secret()
  @IsString()
  @MinLength(SIGNING_SECRET_MIN_BYTES)
  GIFT_MSG_SIGNING_KEY: string = '';

  /** The id of the key that signs every bank order (a withdrawal, its review, a refund, a freeze). */
  @Matches(SIGNING_KEY_ID_PATTERN, { message: 'BANK_ORDER_SIGNING_KEY_ID must be 1-32 of A-Z a-z 0-9 _ . -' })
  BANK_ORDER_SIGNING_KEY_ID: string = '';

  /** Its secret (32+ bytes; bank-service alone holds it, in BANK_ORDER_VERIFY_KEYS). No default: no key, no start. */
  @Secret()
  @IsString()
  @MinLength(SIGNING_SECRET_MIN_BYTES)
  BANK_ORDER_SIGNING_KEY: string = '';

  /** The id of the key that signs every change of the gift catalogue (an admin's insert or update). */
  @Matches(SIGNING_KEY_ID_PATTERN, { message: 'CATALOGUE_ORDER_SIGNING_KEY_ID must be 1-32 of A-Z a-z 0-9 _ . -' })
  CATALOGUE_ORDER_SIGNING_KEY_ID: string = '';

  /** Its secret (32+ bytes; gift-service alone holds it, in CATALOGUE_ORDER_VERIFY_KEYS). No default: no key, no start. */
  @Secret()
  @IsString()
  @MinLength(SIGNING_SECRET_MIN_BYTES)
  CATALOGUE_ORDER_SIGNING_KEY: string = '';
}

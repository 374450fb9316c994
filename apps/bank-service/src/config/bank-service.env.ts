import { AppEnv, DevConvenience, IntSetting, IsPort, Secret } from '@live/common';
import { IsIn, IsString, MinLength } from 'class-validator';

/** bank-service's own settings (database and Redis settings belong to their modules). */
export class BankServiceEnv extends AppEnv {
  @IsPort()
  BANK_HTTP_PORT: number = 9202;

  @IsPort()
  BANK_RPC_PORT: number = 9102;

  /** Shared secret of the payment provider's HMAC-signed callbacks. No default: config/development.env has a public one. */
  @Secret()
  @IsString()
  @MinLength(16)
  BANK_PAY_SECRET!: string;

  /** The development payment provider (POST /bank/devPay). Refused in production. */
  @DevConvenience()
  @IsIn(['true', 'false'])
  BANK_DEV_PAY_ENABLED: string = 'false';

  /** Gift earnings of the last this many days are held (pending), the rest withdrawable (`/bank/earnings`). 0: nothing held. */
  @IntSetting(0, 365)
  EARNINGS_HOLD_DAYS: number = 7;

  /**
   * Coins a user may spend on gifts per UTC day (the database's clock); 0: no cap. Checked at settlement on
   * the locked wallet (a gift past it is refused, 5557) and before Kafka by the gateway from the balance cache.
   */
  @IntSetting(0, Number.MAX_SAFE_INTEGER)
  BANK_DAILY_SPEND_CAP: number = 100_000;

  /** The smallest withdrawal (coins of earnings). */
  @IntSetting(1, 1_000_000_000)
  BANK_WITHDRAW_MIN: number = 100;

  /** The platform's cut of a withdrawal in basis points (3000 = 30%): fee = floor(amount × bps / 10000). */
  @IntSetting(0, 10_000)
  BANK_WITHDRAW_FEE_BPS: number = 3000;

  /** A recharge order still unpaid this many minutes after it was made expires; a later callback is refused. */
  @IntSetting(1, 10_080)
  BANK_ORDER_TTL_MINUTES: number = 30;

  /**
   * Recharge orders a user may hold unpaid (waiting or paying, within BANK_ORDER_TTL_MINUTES) at once; one more
   * is refused (409, 12023) until one is paid or expires. Exact under concurrent calls (a per-user lock).
   */
  @IntSetting(1, 1_000)
  BANK_MAX_OPEN_ORDERS: number = 5;

  /** How often the expiry job looks for overdue orders (each bank-service instance runs it). */
  @IntSetting(100, 3_600_000)
  BANK_ORDER_EXPIRY_INTERVAL_MS: number = 60_000;

  /** Orders expired per statement (a round repeats it while a batch comes back full, at most 20 times). */
  @IntSetting(1, 10_000)
  BANK_ORDER_EXPIRY_BATCH: number = 500;
}

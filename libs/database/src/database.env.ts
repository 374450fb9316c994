import { HostSetting, IntSetting, IsPort, Secret } from '@live/common';
import { IsNotEmpty, IsString, Matches } from 'class-validator';

export class DatabaseEnv {
  @HostSetting()
  DB_HOST: string = '127.0.0.1';

  @IsPort()
  DB_PORT: number = 3306;

  @IsString()
  @IsNotEmpty()
  DB_USER: string = 'root';

  /** Empty for the local development server; required (a real secret) in production. */
  @Secret()
  @IsString()
  DB_PASSWORD: string = '';

  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'DB_NAME must be 1-64 letters, digits or _' })
  DB_NAME: string = 'live_gift';

  @IntSetting(1, 500)
  DB_POOL_SIZE: number = 10;
}

import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { ConfigValidationError, validateEnv } from './validate-env';

class SampleEnv {
  @IsString()
  @IsNotEmpty()
  DB_HOST: string = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  DB_PORT: number = 3306;

  @IsString()
  @IsNotEmpty()
  PAY_SECRET!: string;
}

describe('validateEnv', () => {
  it('applies defaults and converts numbers', () => {
    const env = validateEnv(SampleEnv, { DB_PORT: '3307', PAY_SECRET: 's' });
    expect(env).toBeInstanceOf(SampleEnv);
    expect(env.DB_HOST).toBe('127.0.0.1');
    expect(env.DB_PORT).toBe(3307);
  });

  it('treats an empty string as not set (the default applies)', () => {
    expect(validateEnv(SampleEnv, { DB_HOST: '', PAY_SECRET: 's' }).DB_HOST).toBe('127.0.0.1');
  });

  it('lists every bad variable, with what it got', () => {
    let error: unknown;
    try {
      validateEnv(SampleEnv, { DB_PORT: 'abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('Invalid configuration (SampleEnv)');
    expect(message).toMatch(/DB_PORT: .*integer.*got "abc"/);
    expect(message).toMatch(/PAY_SECRET: .*not set/);
    expect((error as ConfigValidationError).problems.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects out-of-range numbers', () => {
    expect(() => validateEnv(SampleEnv, { DB_PORT: '70000', PAY_SECRET: 's' })).toThrow(/DB_PORT: .*65535/);
  });
});

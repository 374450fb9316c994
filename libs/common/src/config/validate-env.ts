import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { IsInt, Max, Min, ValidationError, validateSync } from 'class-validator';

/** Thrown at start-up when an environment variable is missing or malformed. */
export class ConfigValidationError extends Error {
  constructor(readonly configName: string, readonly problems: string[]) {
    super(`Invalid configuration (${configName}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[], source: Record<string, unknown>): string[] {
  return errors.flatMap((e) => {
    const got = source[e.property];
    const shown = got === undefined ? 'not set' : `got ${JSON.stringify(got)}`;
    return Object.values(e.constraints ?? {}).map((c) => `${e.property}: ${c} (${shown})`);
  });
}

/**
 * Reads one config class from the environment: class-validator decorators say what is required,
 * property initialisers are the defaults. Annotate every property type explicitly (`PORT: number = 80`):
 * the annotation is what drives string-to-number conversion, and @swc/jest cannot infer it.
 * Numbers and booleans are converted from strings.
 * Fails with every problem listed, never with the first one only.
 */
export function validateEnv<T extends object>(
  cls: ClassConstructor<T>,
  source: Record<string, unknown> = process.env,
): T {
  const defined = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const instance = plainToInstance(cls, defined, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigValidationError(cls.name, describe(errors, source));
  return instance;
}

/**
 * A Nest provider for a config class: inject it by its class, typed.
 *   providers: [configProvider(BankEnv)]   constructor(private readonly env: BankEnv) {}
 */
export function configProvider<T extends object>(cls: ClassConstructor<T>) {
  return { provide: cls, useFactory: (): T => validateEnv(cls) };
}

/** For main.ts: reads the app's config or stops the process with every bad variable named. */
export function loadEnvOrExit<T extends object>(app: string, cls: ClassConstructor<T>): T {
  try {
    return validateEnv(cls);
  } catch (err: unknown) {
    if (!(err instanceof ConfigValidationError)) throw err;
    process.stderr.write(`[${app}] refusing to start: ${err.message}\n`);
    process.exit(1);
  }
}

/** A TCP port number (1..65535). */
export function IsPort(): PropertyDecorator {
  const decorators = [IsInt(), Min(1), Max(65535)];
  return (target, key) => decorators.forEach((d) => d(target, key));
}

import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { publishedValues } from './published-values';

/** Thrown at start-up when an environment variable is missing or malformed. */
export class ConfigValidationError extends Error {
  constructor(
    readonly configName: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration (${configName}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[], source: Record<string, unknown>, secrets: ReadonlySet<string>): string[] {
  return errors.flatMap((e) => {
    const got = source[e.property];
    const shown =
      got === undefined ? 'not set' : secrets.has(e.property) ? 'value hidden: a secret' : `got ${JSON.stringify(got)}`;
    return Object.values(e.constraints ?? {}).map((c) => `${e.property}: ${c} (${shown})`);
  });
}

/** Shortest secret the production profile accepts (bytes, UTF-8). */
export const SECRET_MIN_BYTES = 32;

const PROFILE_RULES = Symbol('live:profile-rules');

type ProfileRule =
  | { kind: 'secret'; property: string; parts: (raw: string) => string[]; optional: boolean }
  | { kind: 'dev-convenience'; property: string };

function rulesOf(instance: object): ProfileRule[] {
  return Reflect.getMetadata(PROFILE_RULES, instance) ?? [];
}

function addRule(target: object, rule: ProfileRule): void {
  const own: ProfileRule[] = Reflect.getOwnMetadata(PROFILE_RULES, target) ?? [
    ...(Reflect.getMetadata(PROFILE_RULES, target) ?? []),
  ];
  Reflect.defineMetadata(PROFILE_RULES, [...own, rule], target);
}

export interface SecretOptions {
  /**
   * For a variable holding several secrets (e.g. `kid1:key1,kid2:key2` for rotation): the secrets in it,
   * each checked on its own. Default: the whole value is one secret.
   */
  parts?: (raw: string) => string[];
  /** Unset is fine even in production (the feature it unlocks is then off); set, it must be a real secret. */
  optional?: boolean;
}

/**
 * A secret the app needs in production (NODE_ENV=production): there validateEnv refuses it missing
 * (unless `optional`), shorter than SECRET_MIN_BYTES, or equal to any value published in the repository (config/development.env,
 * deploy/production.env.example). Other profiles only apply the field's own class-validator decorators.
 */
export function Secret(options: SecretOptions = {}): PropertyDecorator {
  return (target, key) =>
    addRule(target, {
      kind: 'secret',
      property: String(key),
      parts: options.parts ?? ((raw) => [raw]),
      optional: options.optional ?? false,
    });
}

/**
 * A development convenience (`'true'` | `'false'`, default `'false'`): validateEnv refuses `true` in
 * production (NODE_ENV=production). config/development.env turns it on for development.
 */
export function DevConvenience(): PropertyDecorator {
  return (target, key) => addRule(target, { kind: 'dev-convenience', property: String(key) });
}

/** The production profile: NODE_ENV=production (the Docker image sets it). */
export function isProductionProfile(source: Record<string, unknown> = process.env): boolean {
  return source.NODE_ENV === 'production';
}

/** A random secret of 32+ bytes has many distinct characters (hex: up to 16); `aaaa...` does not. */
const SECRET_MIN_DISTINCT_CHARS = 10;
/** Words of the repository's placeholders and development values: a secret containing one is made from them. */
const PLACEHOLDER_WORDS = ['change-me', 'changeme', 'dev-only', 'placeholder', 'example'];

/** A published value dressed up: trimmed or recased, a character added, or a placeholder word inside. */
function resemblesPublished(secret: string, published: ReadonlySet<string>): boolean {
  const folded = secret.trim().toLowerCase();
  if (PLACEHOLDER_WORDS.some((w) => folded.includes(w))) return true;
  for (const value of published) {
    const known = value.trim().toLowerCase();
    if (known.length >= 16 && (folded.includes(known) || known.includes(folded))) return true;
  }
  return false;
}

/** What the production profile refuses in one validated config instance. */
function productionProblems(instance: object, alreadyBad: ReadonlySet<string>): string[] {
  const rules = rulesOf(instance).filter((r) => !alreadyBad.has(r.property));
  const problems: string[] = [];
  const values = instance as Record<string, unknown>;
  for (const rule of rules) {
    const value = values[rule.property];
    if (rule.kind === 'dev-convenience') {
      if (String(value) === 'true')
        problems.push(`${rule.property}: a development convenience, must be false in production (NODE_ENV=production)`);
      continue;
    }
    if (value === undefined || value === null || value === '') {
      if (!rule.optional)
        problems.push(`${rule.property}: a secret, required in production (NODE_ENV=production) (not set)`);
      continue;
    }
    const published = publishedValues();
    const parts = rule.parts(String(value));
    for (const [i, part] of parts.entries()) {
      const which = parts.length > 1 ? ` (secret #${i + 1})` : '';
      if (Buffer.byteLength(part, 'utf8') < SECRET_MIN_BYTES) {
        problems.push(
          `${rule.property}${which}: a secret, must be at least ${SECRET_MIN_BYTES} bytes in production (got ${Buffer.byteLength(part, 'utf8')})`,
        );
      } else if ('error' in published) {
        problems.push(`${rule.property}${which}: cannot tell whether it is a published value (${published.error})`);
      } else if (published.values.has(part) || resemblesPublished(part, published.values)) {
        problems.push(
          `${rule.property}${which}: a value published in the repository (config/development.env or an example), or one made from it: set your own secret`,
        );
      } else if (new Set(part).size < SECRET_MIN_DISTINCT_CHARS) {
        problems.push(
          `${rule.property}${which}: not a random secret (fewer than ${SECRET_MIN_DISTINCT_CHARS} distinct characters): e.g. openssl rand -hex 32`,
        );
      }
    }
  }
  return problems;
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
  const secrets = new Set(
    rulesOf(instance)
      .filter((r) => r.kind === 'secret')
      .map((r) => r.property),
  );
  const problems = describe(errors, source, secrets);
  if (isProductionProfile(source))
    problems.push(...productionProblems(instance, new Set(errors.map((e) => e.property))));
  if (problems.length > 0) throw new ConfigValidationError(cls.name, problems);
  return instance;
}

/**
 * A Nest provider for a config class: inject it by its class, typed.
 *   providers: [configProvider(BankEnv)]   constructor(private readonly env: BankEnv) {}
 */
export function configProvider<T extends object>(cls: ClassConstructor<T>) {
  declareEnv(cls);
  return { provide: cls, useFactory: (): T => validateEnv(cls) };
}

const declaredEnvs = new Set<ClassConstructor<object>>();

/**
 * Says that this process reads `cls` (called by configProvider and the modules' forRoot/register, i.e.
 * when the app's module is defined): loadEnvOrExit validates every declared class up front, so a bad
 * setting of any module stops the process before anything connects, with every problem listed.
 */
export function declareEnv(cls: ClassConstructor<object>): void {
  declaredEnvs.add(cls);
}

/**
 * The secrets that belong to one service each (the keys that sign or check money and prices, the payment
 * provider's key, the database's root password): in production a process that does not read one must not hold it,
 * since a service taken over reads its whole environment (a review, 2026-12-01: every container of the compose
 * stack read one env file, so im-core and im-router, which face the internet, held the gateway's signing keys
 * and the payment callback key: enough to mint coins and reprice gifts).
 */
export const OWNED_SECRETS = [
  'MYSQL_ROOT_PASSWORD',
  // A database account's password: an app with no database (im-router) must not hold one. Since 2026-12-03 the
  // compose stack keeps the owner's out of production.env; one left there by an older deploy is refused.
  'DB_PASSWORD',
  'BANK_PAY_SECRET',
  'GIFT_MSG_SIGNING_KEY',
  'GIFT_MSG_VERIFY_KEYS',
  'BANK_ORDER_SIGNING_KEY',
  'BANK_ORDER_VERIFY_KEYS',
  'CATALOGUE_ORDER_SIGNING_KEY',
  'CATALOGUE_ORDER_VERIFY_KEYS',
] as const;

/** The production profile: the owned secrets set in `source` that none of the app's config classes reads. */
function foreignSecrets(classes: ClassConstructor<object>[], source: Record<string, unknown>): string[] {
  const read = new Set<string>();
  for (const cls of classes) {
    const blank = new cls();
    for (const key of Object.keys(blank)) read.add(key);
    for (const rule of rulesOf(blank)) read.add(rule.property);
  }
  return OWNED_SECRETS.filter((name) => source[name] !== undefined && source[name] !== '' && !read.has(name)).map(
    (name) =>
      `${name}: set, but this service does not use it: a secret of another service, which a process taken over would read (give each container only its own secrets: README "Profiles")`,
  );
}

/** Validates the app's class and every declared one; all problems of all classes, or none. */
export function checkEnvs(
  classes: ClassConstructor<object>[],
  source: Record<string, unknown> = process.env,
): ConfigValidationError[] {
  const failures: ConfigValidationError[] = [];
  for (const cls of new Set(classes)) {
    try {
      validateEnv(cls, source);
    } catch (err: unknown) {
      if (!(err instanceof ConfigValidationError)) throw err;
      failures.push(err);
    }
  }
  if (isProductionProfile(source)) {
    const foreign = foreignSecrets([...new Set(classes)], source);
    if (foreign.length > 0) failures.push(new ConfigValidationError('secrets of other services', foreign));
  }
  return failures;
}

/**
 * For main.ts: reads the app's config (and validates every declared module config) or stops the process
 * with every bad variable named. With `--check-config` on the command line it stops there: exit 0 when
 * the configuration is good (an operator's dry run, e.g. of the production profile).
 *
 * `only`: a tool that is no app (the migrations) validates these classes besides `cls` instead of the
 * declared ones: importing @live/common declares RPC's key, which a tool that speaks no RPC does not hold.
 */
export function loadEnvOrExit<T extends object>(
  app: string,
  cls: ClassConstructor<T>,
  only?: readonly ClassConstructor<object>[],
): T {
  const failures = checkEnvs([cls, ...(only ?? declaredEnvs)]);
  if (failures.length > 0) {
    process.stderr.write(`[${app}] refusing to start: ${failures.map((f) => f.message).join('\n')}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--check-config')) {
    const profile = isProductionProfile() ? 'production' : `${process.env.NODE_ENV ?? 'no NODE_ENV'} (not production)`;
    process.stdout.write(`[${app}] configuration OK, profile ${profile}\n`);
    process.exit(0);
  }
  return validateEnv(cls);
}

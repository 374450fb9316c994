import { IsIn, IsOptional, IsString } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envFileValues, findRepoRoot, publishedValues } from './published-values';
import { ConfigValidationError, DevConvenience, Secret, validateEnv } from './validate-env';

class SampleEnv {
  @DevConvenience()
  @IsIn(['true', 'false'])
  SAMPLE_DEV_SHORTCUT: string = 'false';

  @Secret()
  @IsOptional()
  @IsString()
  SAMPLE_SECRET?: string;

  /** `kid:key` pairs, comma-separated: each key is a secret of its own. */
  @Secret({ parts: (raw) => raw.split(',').map((pair) => pair.slice(pair.indexOf(':') + 1)) })
  @IsOptional()
  @IsString()
  SAMPLE_KEYS?: string;
}

const strong = '9f2c4e1a7b3d8f60c5e2a9b14d7f03e8';
const production = (extra: Record<string, string>) => ({
  NODE_ENV: 'production',
  SAMPLE_SECRET: strong,
  SAMPLE_KEYS: `k1:${strong}`,
  ...extra,
});
const problemsOf = (source: Record<string, string>): string[] => {
  try {
    validateEnv(SampleEnv, source);
    return [];
  } catch (err: unknown) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
};

describe('@Secret / @DevConvenience in validateEnv', () => {
  const devSecret = envFileValues(readFileSync(join(findRepoRoot()!, 'config/development.env'), 'utf8')).find(
    (v) => v.length >= 32,
  )!;

  it('outside production: conveniences on, secrets optional (only the field decorators apply)', () => {
    expect(problemsOf({ NODE_ENV: 'development', SAMPLE_DEV_SHORTCUT: 'true' })).toEqual([]);
    expect(problemsOf({ SAMPLE_SECRET: 'short' })).toEqual([]);
  });

  it('production: good settings pass', () => {
    expect(problemsOf(production({}))).toEqual([]);
  });

  it('production: a convenience on, a secret missing, short or published: each named, every one listed', () => {
    const problems = problemsOf(
      production({ SAMPLE_DEV_SHORTCUT: 'true', SAMPLE_SECRET: '', SAMPLE_KEYS: `k1:${strong},k2:${devSecret}` }),
    );
    expect(problems).toEqual([
      'SAMPLE_DEV_SHORTCUT: a development convenience, must be false in production (NODE_ENV=production)',
      'SAMPLE_SECRET: a secret, required in production (NODE_ENV=production) (not set)',
      'SAMPLE_KEYS (secret #2): a value published in the repository (config/development.env or an example), or one made from it: set your own secret',
    ]);
    expect(problemsOf(production({ SAMPLE_SECRET: 'x'.repeat(31) }))).toEqual([
      'SAMPLE_SECRET: a secret, must be at least 32 bytes in production (got 31)',
    ]);
  });

  it('production: a published value dressed up, a placeholder word, or a secret that is not random are refused too', () => {
    const published = /a value published in the repository .*, or one made from it/;
    for (const dressed of [
      `${devSecret} `,
      `${devSecret}.`,
      `X${devSecret.toUpperCase()}`,
      `${strong}-CHANGE-ME`,
      `my-dev-only-key-${strong}`,
    ]) {
      expect([dressed, problemsOf(production({ SAMPLE_SECRET: dressed }))]).toEqual([
        dressed,
        [expect.stringMatching(published)],
      ]);
    }
    expect(problemsOf(production({ SAMPLE_SECRET: 'a'.repeat(36) }))).toEqual([
      expect.stringMatching(/SAMPLE_SECRET: not a random secret \(fewer than 10 distinct characters\)/),
    ]);
  });

  it('never echoes a secret in a message', () => {
    class Numbered {
      @Secret()
      @IsIn(['one'])
      NUMBERED_SECRET: string = 'one';
    }
    expect(() => validateEnv(Numbered, { NUMBERED_SECRET: 'hunter2-is-my-password' })).toThrow(
      /NUMBERED_SECRET: .*value hidden: a secret/,
    );
    expect(() => validateEnv(Numbered, { NUMBERED_SECRET: 'hunter2-is-my-password' })).not.toThrow(/hunter2/);
  });

  it('every value of the development profile and the production example is published; so is any secret-looking value in README or docker-compose', () => {
    const published = publishedValues();
    if ('error' in published) throw new Error(published.error);
    const root = findRepoRoot()!;
    for (const file of ['config/development.env', 'deploy/production.env.example']) {
      for (const value of envFileValues(readFileSync(join(root, file), 'utf8')))
        expect(published.values.has(value)).toBe(true);
    }
    // A secret written in the docs or the compose file (NAME_SECRET=..., NAME_PASSWORD: ..., NAME_KEY=...)
    // must be one the apps refuse: i.e. one of the published files' values.
    for (const file of ['README.md', 'docker-compose.yml']) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(
        /\b[A-Z][A-Z0-9_]*(?:SECRET|PASSWORD|_KEYS?)\b["']?\s*[=:]\s*["']?([^\s"'`|,]{8,})/g,
      )) {
        if (m[1].startsWith('$')) continue; // a reference (${VAR}, $$VAR), not a value
        expect([file, m[0], published.values.has(m[1])]).toEqual([file, m[0], true]);
      }
    }
  });
});

import { spawn } from 'node:child_process';

export interface Exit {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** The environment a TypeScript entry point needs under ts-node (swc, no type check), and nothing of Jest's own. */
export const TS_NODE_ENV = { TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_SWC: '1' } as const;

/** Runs a command to its end with ONLY `env` (and PATH) as its environment; resolves with its exit code and output. */
export function runProcess(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

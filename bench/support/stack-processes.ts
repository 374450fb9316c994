import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface AppProcess {
  name: string;
  entry: string;
  health: string;
  extra: Record<string, string>;
  child: ChildProcess;
}

const ROOT = join(__dirname, '..', '..', '..');

/** Where each app starts from (under dist/). */
export const APP_ENTRIES: Record<string, string> = {
  'api-gateway': 'apps/api-gateway/src/main.js',
  'gift-service': 'apps/gift-service/src/main.js',
  'bank-service': 'apps/bank-service/src/main.js',
  'im-router': 'apps/im-router/src/main.js',
  'im-core': 'apps/im-core/src/main.js',
};

/**
 * The five apps as separate processes (as in production: each its own event loop, spread over the
 * cores) from dist/, with the given environment; their output goes to `logDir/<name>.log`.
 */
export class StackProcesses {
  readonly apps: AppProcess[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Where an app's output goes. */
  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** scripts/infra up (servers), then migrations on env.DB_NAME. */
  prepare(envOverrides: Record<string, string> = {}): void {
    execFileSync('bash', [join(ROOT, 'scripts/infra'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
    execFileSync('node', [join(ROOT, 'scripts/run-app.js'), 'libs/database/src/migrate.js', 'up'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...envOverrides },
    });
  }

  /** Refuses to run where something already answers on one of the health URLs (a leftover stack). */
  static async assertFree(urls: string[]): Promise<void> {
    for (const url of urls) {
      const busy = await fetch(url).then(
        () => true,
        () => false,
      );
      if (busy) throw new Error(`${url} already answers: stop what runs on the benchmark's ports first`);
    }
  }

  start(name: string, entry: string, health: string, extra: Record<string, string> = {}): void {
    this.apps.push({ name, entry, health, extra, child: this.spawn(name, entry, extra) });
  }

  /**
   * A named instance of an app (`gift-service#2`: the app is the part before `#`), with its own
   * environment (ports, instance id) on top of the stack's; kill9/restart/pid take the same name.
   */
  startInstance(name: string, health: string, extra: Record<string, string>): void {
    const entry = APP_ENTRIES[name.split('#')[0]];
    if (!entry) throw new Error(`no app for instance ${name}`);
    this.start(name, entry, health, extra);
  }

  /** The process id of an app or instance (undefined once it has exited). */
  pid(name: string): number | undefined {
    const child = this.app(name).child;
    return child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /**
   * The five apps on the ports of `stackPorts` (bench-kit); `extra`: more environment per app. With
   * BENCH_PROFILE=<app>[,<app>...] those apps run under the V8 profiler (bench/support/cpu-profile.js) and writes
   * bench-output/<app>.cpuprofile each (open it in Chrome DevTools).
   */
  startAll(
    ports: { bankHttp: number; giftHttp: number; routerHttp: number; imWs: number; gateway: number },
    extra: Record<string, Record<string, string>> = {},
  ): void {
    const env = (name: string): Record<string, string> => ({
      ...((process.env.BENCH_PROFILE ?? '').split(',').includes(name)
        ? {
            NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile.js')}`,
            PROFILE_OUT: join(ROOT, 'bench-output', `${name}.cpuprofile`),
            PROFILE_DELAY_MS: process.env.BENCH_PROFILE_DELAY_MS ?? '20000',
            PROFILE_MS: process.env.BENCH_PROFILE_MS ?? '5000',
          }
        : {}),
      ...extra[name],
    });
    this.start(
      'bank-service',
      'apps/bank-service/src/main.js',
      `http://127.0.0.1:${ports.bankHttp}/health`,
      env('bank-service'),
    );
    this.start(
      'gift-service',
      'apps/gift-service/src/main.js',
      `http://127.0.0.1:${ports.giftHttp}/health`,
      env('gift-service'),
    );
    this.start(
      'im-router',
      'apps/im-router/src/main.js',
      `http://127.0.0.1:${ports.routerHttp}/health`,
      env('im-router'),
    );
    this.start('im-core', 'apps/im-core/src/main.js', `http://127.0.0.1:${ports.imWs}/health`, env('im-core'));
    this.start(
      'api-gateway',
      'apps/api-gateway/src/main.js',
      `http://127.0.0.1:${ports.gateway}/health`,
      env('api-gateway'),
    );
  }

  /** kill -9, as a crash would. */
  async kill9(name: string): Promise<void> {
    const app = this.app(name);
    const exited = new Promise((r) => app.child.once('exit', r));
    app.child.kill('SIGKILL');
    await exited;
  }

  /** Starts a (killed) app again and waits for its /health. */
  async restart(name: string, timeoutMs = 60_000): Promise<void> {
    const app = this.app(name);
    app.child = this.spawn(name, app.entry, app.extra);
    const deadline = Date.now() + timeoutMs;
    while (
      !(await fetch(app.health).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (app.child.exitCode !== null)
        throw new Error(`${name} exited while restarting (see ${this.logDir}/${name}.log)`);
      if (Date.now() > deadline) throw new Error(`${name} not healthy ${timeoutMs} ms after its restart`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Apps that died on their own (not killed by us): a crash under test. */
  crashed(): string[] {
    return this.apps.filter((a) => a.child.exitCode !== null || a.child.signalCode !== null).map((a) => a.name);
  }

  private app(name: string): AppProcess {
    const app = this.apps.find((a) => a.name === name);
    if (!app) throw new Error(`no app ${name}`);
    return app;
  }

  private spawn(name: string, entry: string, extra: Record<string, string>): ChildProcess {
    const log = createWriteStream(this.logFile(name), { flags: 'a' });
    const child = spawn('node', [join(ROOT, 'scripts/run-app.js'), entry], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return child;
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const app of this.apps) {
      for (;;) {
        if (app.child.exitCode !== null)
          throw new Error(`${app.name} exited during start-up (see ${this.logDir}/${app.name}.log)`);
        const ok = await fetch(app.health).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${app.name} not healthy in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /**
   * CPU seconds used so far by each app, the servers (MariaDB, Redis, the Kafka broker: the processes
   * listening on DB_PORT, REDIS_PORT and the first of KAFKA_BROKERS on this machine) and this process
   * (the simulated viewers, and the HTTP client when it runs in process): where the time went.
   */
  cpuSeconds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const app of this.apps) if (app.child.pid) out[app.name] = processCpuSeconds(app.child.pid);
    out['bench process'] = processCpuSeconds(process.pid);
    for (const [name, pid] of Object.entries(this.serverPids())) out[name] = processCpuSeconds(pid);
    return out;
  }

  /** Each app's resident memory (VmRSS) in bytes, by name (an app that exited is left out). */
  rssBytes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const app of this.apps) {
      const rss = app.child.pid === undefined ? undefined : processRssBytes(app.child.pid);
      if (rss !== undefined) out[app.name] = rss;
    }
    return out;
  }

  private servers: Record<string, number> | null = null;

  /** mariadb, redis, kafka: their pids, found once (again when one is gone). */
  private serverPids(): Record<string, number> {
    if (this.servers && Object.values(this.servers).every((pid) => existsSync(`/proc/${pid}/stat`)))
      return this.servers;
    const env = { ...process.env, ...this.env };
    const kafkaPort = Number(/:(\d+)/.exec((env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0])?.[1] ?? 9092);
    const ports: Record<string, number> = {
      mariadb: Number(env.DB_PORT ?? 3306),
      redis: Number(env.REDIS_PORT ?? 6379),
      kafka: kafkaPort,
    };
    const byPort = listeningPids(Object.values(ports));
    this.servers = {};
    for (const [name, port] of Object.entries(ports)) {
      const pid = byPort.get(port);
      if (pid !== undefined) this.servers[name] = pid;
    }
    return this.servers;
  }

  /** SIGTERM to every app; with `killAfterMs`, kill -9 of those still running after that long. */
  async stop(killAfterMs?: number): Promise<void> {
    for (const app of [...this.apps].reverse()) app.child.kill('SIGTERM');
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => this.apps.forEach((a) => a.child.exitCode === null && a.child.kill('SIGKILL')), killAfterMs);
    await Promise.all(
      this.apps.map((a) =>
        a.child.exitCode !== null || a.child.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => a.child.once('exit', r)),
      ),
    );
    clearTimeout(timer);
  }
}

/** A process's resident memory in bytes (VmRSS of /proc/<pid>/status); undefined once it is gone. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** User + system CPU of a process in seconds, to the clock tick (/proc/<pid>/stat; 0 once it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * The process listening on each of `ports` (TCP, any local address) on this machine: the socket's inode
 * from /proc/net/tcp{,6}, then the process holding a descriptor on it. Ports nobody here listens on (a
 * server on another host) are left out.
 */
export function listeningPids(ports: readonly number[]): Map<number, number> {
  const inodes = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st ... inode (field 9); st 0A = LISTEN
      if (f.length < 10 || f[3] !== '0A') continue;
      const port = parseInt(f[1].split(':')[1], 16);
      if (ports.includes(port)) inodes.set(`socket:[${f[9]}]`, port);
    }
  }
  const out = new Map<number, number>();
  if (inodes.size === 0) return out;
  const wanted = new Set(inodes.values()).size;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const port = inodes.get(target);
      if (port !== undefined && !out.has(port)) out.set(port, Number(entry));
    }
    if (out.size === wanted) break;
  }
  return out;
}

/** USER_HZ: 100 on Linux for every architecture Node runs on. */
const CLOCK_TICKS = 100;

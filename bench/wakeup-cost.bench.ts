/**
 * What one Node process spends per request when its requests arrive one at a time, against the same rate
 * arriving in groups, on this machine: a plain node:http server (a child process answering a small JSON
 * envelope, none of this project's code) and its CPU seconds from /proc, in one run, alternately:
 *
 * - one at a time: a request every 1000 / rate ms, so the server goes idle and wakes for each;
 * - in groups: `--group` requests at once every group x 1000 / rate ms (the same requests a second);
 * - saturated: 32 requests always in flight (the floor: many requests per wake-up).
 *
 * Why it is here: bench/gift-path's "half rate" phase costs about twice the CPU per gift of the full-rate
 * one, and leaves the machine as busy, because every process of the gift path wakes for little work at a
 * paced rate. This shows what a wake-up costs on the machine, apart from the project's code.
 *
 *   npm run bench:wakeup -- [--rate 200] [--group 20] [--seconds 5] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    group: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
const RATE = Number(args.rate);
const GROUP = Number(args.group);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
for (const [name, v] of Object.entries({ rate: RATE, group: GROUP, seconds: SECONDS, rounds: ROUNDS }))
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
if (1_000 / RATE < 1) throw new Error('--rate above 1000 cannot be paced one at a time (a timer per millisecond)');

/** The server: answers every request with the envelope of an accepted send, once its body is read. */
const SERVER = `
const http = require('node:http');
const body = '{"code":0,"msg":"success","data":{"requestId":"1:bench"}}';
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * A process' CPU seconds from the scheduler, to the nanosecond: the first field of each of its threads'
 * /proc/<pid>/task/<tid>/schedstat (utime + stime of /proc/<pid>/stat count in 10 ms steps: too coarse for the
 * few ms a grouped pattern costs).
 */
function runtimeSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e9;
}

interface Pattern {
  name: string;
  /** Sends for SECONDS and resolves with the requests answered. */
  run: (send: () => Promise<void>) => Promise<number>;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await measure(child.pid!, await portOf(child));
  } finally {
    child.kill();
  }
}

function portOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    child.once('error', reject);
  });
}

async function measure(pid: number, port: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const payload = '{"giftId":1,"roomId":1,"receiverId":2}';
  const send = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/gift/send',
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end(payload);
    });

  const paced = (every: number, size: number) => async (go: () => Promise<void>) => {
    let answered = 0;
    let failure: unknown;
    const inFlight: Promise<void>[] = [];
    // Each request's failure is caught at once (an unhandled rejection would end the process, its server left
    // running); the first one stops the pattern and is thrown once the requests in flight are done.
    const timer = setInterval(() => {
      for (let i = 0; i < size; i++)
        inFlight.push(
          go().then(
            () => void (answered += 1),
            (err: unknown) => {
              failure ??= err;
              clearInterval(timer);
            },
          ),
        );
    }, every);
    await new Promise((r) => setTimeout(r, SECONDS * 1_000));
    clearInterval(timer);
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return answered;
  };
  const patterns: Pattern[] = [
    { name: `one at a time (every ${(1_000 / RATE).toFixed(1)} ms)`, run: paced(1_000 / RATE, 1) },
    {
      name: `in groups of ${GROUP} (every ${((GROUP * 1_000) / RATE).toFixed(0)} ms)`,
      run: paced((GROUP * 1_000) / RATE, GROUP),
    },
    {
      name: 'saturated (32 in flight)',
      run: async (go) => {
        let answered = 0;
        const until = Date.now() + SECONDS * 1_000;
        const loop = async (): Promise<void> => {
          while (Date.now() < until) {
            await go();
            answered += 1;
          }
        };
        await Promise.all(Array.from({ length: 32 }, loop));
        return answered;
      },
    },
  ];

  for (let i = 0; i < 2_000; i++) await send(); // warm both ends
  const perRequest = new Map<string, number[]>(patterns.map((p) => [p.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const p of patterns) {
      const before = runtimeSeconds(pid);
      const answered = await p.run(send);
      const us = ((runtimeSeconds(pid) - before) * 1e6) / Math.max(1, answered);
      perRequest.get(p.name)!.push(us);
      console.log(
        `round ${round}/${ROUNDS}: ${p.name}: ${answered} requests (${Math.round(answered / SECONDS)}/s), ${us.toFixed(0)} µs of server CPU each`,
      );
    }
  }
  agent.destroy();

  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const [alone, grouped, saturated] = patterns.map((p) => median(perRequest.get(p.name)!));
  console.log(
    `server CPU per request, median of ${ROUNDS} rounds at ${RATE} requests/s: one at a time ${alone.toFixed(0)} µs, ` +
      `in groups of ${GROUP} ${grouped.toFixed(0)} µs (one at a time = ${(alone / grouped).toFixed(1)}x), saturated ` +
      `${saturated.toFixed(0)} µs (one at a time = ${(alone / saturated).toFixed(1)}x)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

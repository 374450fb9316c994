/**
 * HTTP load from an external generator for bench/gift-path: wrk (a C tool, its own process: the client's
 * cost stays out of the bench process and is measured apart), installed with apt-get when missing. A Lua
 * script gives every request its own sender (bearer token), body (giftId, the sender's room and anchor,
 * or in a PK room its anchor or challenger at random, from PkLoad's receivers file; every 7th a count of 3:
 * benchGiftCount)
 * and request id `<tag>-<n>-<epoch ms with fraction>` (the send time: the WebSocket viewers read it to
 * time each effect); it paces to a rate, stops after a time or a count, and stops each thread only once
 * every request it sent has its answer (an unanswered request could be a gift charged but never counted
 * as accepted: the audit would see it). Each accepted gift's answered request id is written to a file
 * and read back for the audit.
 *
 *   ensureWrk();
 *   const r = await wrkLoad({ port, path: '/gift/send', viewers, tag: 'g', concurrency: 48, seconds: 15, workDir });
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditedGift } from './gift-audit';
import { processCpuSeconds } from './stack-processes';
import { BENCH_MULTI_GIFT_COUNT, BENCH_MULTI_GIFT_EVERY, sleep, Viewer } from './bench-kit';

/** What one load phase did, with either generator. */
export interface LoadResult {
  sent: number;
  ok: number;
  /** Refusals by envelope code (or `http <status>`, or a client error's message). */
  refused: Record<string, number>;
  seconds: number;
  /** Answered request ids of the accepted gifts. */
  accepted: string[];
  /** Each accepted gift, for the audit. */
  gifts: AuditedGift[];
  /** Accepted gifts by the second (from the start) they were sent. */
  perSecond: number[];
  /** CPU seconds of the generator's process (external generator only). */
  generatorCpuSeconds?: number;
  /** Socket errors and timeouts of the generator (requests whose answer is unknown). */
  clientErrors?: number;
}

export interface WrkLoadOptions {
  port: number;
  path: string;
  viewers: readonly Viewer[];
  /** Request ids are `<tag>-<n>-<epoch ms>`. */
  tag: string;
  concurrency: number;
  seconds?: number;
  total?: number;
  /** Requests per second (all connections together); none: as fast as the answers come. */
  rate?: number;
  giftId?: number;
  /** Keep the accepted ids (for gift phases; the baselines only count). */
  record: boolean;
  /** PkLoad's receivers file: a sender in a PK room gifts its anchor or its challenger (read every 250 ms). */
  receiversFile?: string;
  /** Where the script, the senders and the answers go (removed afterwards). */
  workDir: string;
  log: (msg: string) => void;
  label: string;
}

/** wrk on the PATH, else `apt-get install wrk` (as root); throws with what to do when neither works. */
export function ensureWrk(log: (msg: string) => void): string {
  const which = (): string | null => {
    try {
      return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  };
  const found = which();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('wrk is not installed: apt-get install wrk (or run the bench with --in-process)');
  log('wrk not found: apt-get install wrk');
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
  const installed = which();
  if (!installed) throw new Error('apt-get install wrk did not put wrk on the PATH (run the bench with --in-process)');
  return installed;
}

/**
 * The wrk script (LuaJIT). Configuration from the environment (LG_*); per thread: `index` (set in
 * setup), its share of the request numbers (n = index + k * threads), counters read back by done().
 */
const SCRIPT = String.raw`
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } lg_timeval;
int gettimeofday(lg_timeval *tv, void *tz);
]]
local tv = ffi.new("lg_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local threads = tonumber(os.getenv("LG_THREADS"))
local path = os.getenv("LG_PATH")
local tag = os.getenv("LG_TAG")
local gift = os.getenv("LG_GIFT")
local multi_every = tonumber(os.getenv("LG_MULTI_EVERY"))
local multi_count = os.getenv("LG_MULTI_COUNT")
local seconds = tonumber(os.getenv("LG_SECONDS"))
local total = tonumber(os.getenv("LG_TOTAL"))
local rate = tonumber(os.getenv("LG_RATE"))
local record = os.getenv("LG_RECORD") == "1"
local out_prefix = os.getenv("LG_OUT")
-- PK rooms (PkLoad's receivers file, "<room> <anchor> <challenger or 0>" a line): read again every 250 ms
local pk_file = os.getenv("LG_PK")

-- main state: number the threads, read their counters at the end
local all = {}
local made = 0
function setup(thread)
  thread:set("index", made)
  made = made + 1
  table.insert(all, thread)
end

function done(summary, latency, requests)
  local f = io.open(out_prefix .. ".summary", "w")
  local e = summary.errors
  f:write(string.format("errors %d %d %d %d\n", e.connect, e.read, e.write, e.timeout))
  for _, t in ipairs(all) do
    f:write(string.format("thread %d %d %d %.3f %.3f\n", t:get("approved"), t:get("answered"), t:get("ok"),
      t:get("first_ms"), t:get("last_ms")))
    local refused = t:get("refused")
    for k, v in pairs(refused) do f:write(string.format("refused %s %d\n", k, v)) end
  end
  f:close()
end

-- thread state
local users = {}
local deadline, quota, interval, next_slot, out
approved = 0
answered = 0
first_ms = 0
last_ms = 0
ok = 0
refused = {}
local k = 0
local closing = false
local finished = false
local pk = {}
local pk_read_ms = 0

-- A gift in a PK room during a PK goes to the anchor or the challenger, at random; elsewhere to the anchor.
local function receiver(u)
  if not pk_file then return u.anchor end
  local t = now_ms()
  if t - pk_read_ms >= 250 then
    pk_read_ms = t
    local f = io.open(pk_file, "r")
    if f then
      local fresh = {}
      for line in f:lines() do
        local room, challenger = string.match(line, "^(%d+) %d+ (%d+)$")
        if room then fresh[room] = challenger end
      end
      f:close()
      pk = fresh
    end
  end
  local challenger = pk[u.room]
  if challenger and challenger ~= "0" and math.random() < 0.5 then return challenger end
  return u.anchor
end

function init(args)
  for line in io.lines(os.getenv("LG_DATA")) do
    local t, room, anchor = string.match(line, "^(%S+) (%d+) (%d+)$")
    if t then table.insert(users, { auth = "Bearer " .. t, room = room, anchor = anchor }) end
  end
  if seconds > 0 then deadline = now_ms() + seconds * 1000 end
  if total > 0 then
    quota = math.floor(total / threads)
    if index < total % threads then quota = quota + 1 end
  end
  if rate > 0 then interval = 1000 * threads / rate end
  math.randomseed(os.time() + index)
  if record then out = io.open(out_prefix .. "." .. index, "w") end
end

local function maybe_finish()
  if closing and not finished and answered >= approved then
    finished = true
    if out then out:close() end
    local m = io.open(out_prefix .. "." .. index .. ".end", "w")
    m:write("end\n")
    m:close()
    wrk.thread:stop()
  end
end

function delay()
  local t = now_ms()
  if closing or (deadline and t >= deadline) or (quota and approved >= quota) then
    closing = true
    maybe_finish()
    return 3600000
  end
  approved = approved + 1
  if first_ms == 0 then first_ms = t end
  if interval then
    if not next_slot then next_slot = t end
    local slot = next_slot
    next_slot = next_slot + interval
    if slot > t then return math.floor(slot - t) end
  end
  return 0
end

function request()
  local n = index + k * threads
  k = k + 1
  local u = users[(n % #users) + 1]
  local count = ""
  if n % multi_every == multi_every - 1 then count = ',"count":' .. multi_count end
  local body = '{"giftId":' .. gift .. ',"roomId":' .. u.room .. ',"receiverId":' .. receiver(u) .. count ..
    ',"requestId":"' .. tag .. "-" .. n .. "-" .. string.format("%.3f", now_ms()) .. '"}'
  return wrk.format("POST", path, { ["Authorization"] = u.auth, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  answered = answered + 1
  last_ms = now_ms()
  local code = body and string.match(body, '"code"%s*:%s*(%-?%d+)')
  if code == "200" and status == 200 then
    ok = ok + 1
    if out then
      local id = string.match(body, '"requestId"%s*:%s*"([^"]+)"')
      if id then out:write(id, "\n") end
    end
  else
    local key = code or ("http_" .. status)
    refused[key] = (refused[key] or 0) + 1
  end
  maybe_finish()
end
`;

/** One phase of load from wrk (one thread: the machine's other core is the servers'). */
export async function wrkLoad(opts: WrkLoadOptions): Promise<LoadResult> {
  if (opts.seconds === undefined && opts.total === undefined) throw new Error('wrkLoad: seconds or total');
  const dir = join(opts.workDir, `wrk-${opts.tag}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const threads = 1;
  const script = join(dir, 'load.lua');
  const data = join(dir, 'senders.txt');
  const out = join(dir, 'answers');
  writeFileSync(script, SCRIPT);
  writeFileSync(data, opts.viewers.map((v) => `${v.token} ${v.roomId} ${v.anchorId}\n`).join(''));
  // wrk stops itself after -d; the script stops each thread earlier, once done and answered.
  const ceiling = Math.ceil((opts.seconds ?? 0) + (opts.total ? opts.total / 200 : 0) + 120);
  const start = Date.now();
  const child: ChildProcess = spawn(
    'wrk',
    [
      `-t${threads}`,
      `-c${Math.max(threads, opts.concurrency)}`,
      `-d${ceiling}s`,
      '--timeout',
      '30s',
      '-s',
      script,
      `http://127.0.0.1:${opts.port}`,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LG_THREADS: String(threads),
        LG_PATH: opts.path,
        LG_TAG: opts.tag,
        LG_GIFT: String(opts.giftId ?? 1),
        // benchGiftCount's rule: every 7th request a send of 3.
        LG_MULTI_EVERY: String(BENCH_MULTI_GIFT_EVERY),
        LG_MULTI_COUNT: String(BENCH_MULTI_GIFT_COUNT),
        LG_SECONDS: String(opts.seconds ?? 0),
        LG_TOTAL: String(opts.total ?? 0),
        LG_RATE: String(opts.rate ?? 0),
        LG_RECORD: opts.record ? '1' : '0',
        LG_OUT: out,
        LG_DATA: data,
        ...(opts.receiversFile ? { LG_PK: opts.receiversFile } : {}),
      },
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  let cpu = 0;
  let interrupted = false;
  let lastLog = Date.now();
  while (running) {
    cpu = Math.max(cpu, processCpuSeconds(child.pid ?? 0));
    const ended = Array.from({ length: threads }, (_, i) => existsSync(`${out}.${i}.end`)).every(Boolean);
    if (ended && !interrupted) {
      interrupted = true;
      child.kill('SIGINT');
    }
    if (Date.now() - lastLog >= 2_000) {
      lastLog = Date.now();
      opts.log(`  ${opts.label}: ${((Date.now() - start) / 1_000).toFixed(0)} s`);
    }
    await sleep(50);
  }
  const exitCode = await exited;
  const wall = (Date.now() - start) / 1_000;
  if (!existsSync(`${out}.summary`))
    throw new Error(`wrk ended (exit ${exitCode}) without its summary:\n${output.slice(-2_000)}`);
  const result: LoadResult = {
    sent: 0,
    ok: 0,
    refused: {},
    seconds: wall,
    accepted: [],
    gifts: [],
    perSecond: [],
    generatorCpuSeconds: cpu,
    clientErrors: 0,
  };
  // The phase's time: from the first request sent to the last answer (not wrk's start-up, not the polling).
  let first = Infinity;
  let last = 0;
  for (const line of readFileSync(`${out}.summary`, 'utf8').split('\n')) {
    const [kind, ...f] = line.split(' ');
    if (kind === 'errors') result.clientErrors = f.map(Number).reduce((a, b) => a + b, 0);
    if (kind === 'thread') {
      result.sent += Number(f[0]);
      result.ok += Number(f[2]);
      const unanswered = Number(f[0]) - Number(f[1]);
      if (unanswered > 0) result.refused.unanswered = (result.refused.unanswered ?? 0) + unanswered;
      if (Number(f[3]) > 0) first = Math.min(first, Number(f[3]));
      last = Math.max(last, Number(f[4]));
    }
    if (kind === 'refused') result.refused[f[0]] = (result.refused[f[0]] ?? 0) + Number(f[1]);
  }
  if (first < last) result.seconds = (last - first) / 1_000;
  const origin = Number.isFinite(first) ? first : start;
  if (opts.record) {
    const roomOf = new Map(opts.viewers.map((v) => [v.userId, v.roomId]));
    for (let i = 0; i < threads; i++) {
      if (!existsSync(`${out}.${i}`)) continue;
      for (const id of readFileSync(`${out}.${i}`, 'utf8').split('\n')) {
        // `<userId>:<tag>-<n>-<epoch ms>`
        const m = /^(\d+):.*-(\d+(?:\.\d+)?)$/.exec(id);
        if (!m) continue;
        const senderId = Number(m[1]);
        const sentAt = Number(m[2]);
        result.accepted.push(id);
        result.gifts.push({ requestId: id, senderId, roomId: roomOf.get(senderId) ?? 0, sentAt });
        const sec = Math.max(0, Math.floor((sentAt - origin) / 1_000));
        result.perSecond[sec] = (result.perSecond[sec] ?? 0) + 1;
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

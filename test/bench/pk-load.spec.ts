import { tokenDigest } from '@live/contracts';
import { RedisClient } from '@live/redis';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Viewer } from '../../bench/support/bench-kit';
import { expectedWinner } from '../../bench/support/gift-audit';
import { PkLoad } from '../../bench/support/pk-load';

/**
 * A gateway that speaks the PK routes of PK-DESIGN.md for one room (the real ones are gift-service's): who
 * called what with which token, and a PK the test ends at will.
 */
class FakePkGateway {
  readonly calls: { path: string; userId: number; body: Record<string, unknown> }[] = [];
  pk: { pkId: string; challengerId: number; progress: number; endReason: string; winnerId: number | null } | null =
    null;
  seq = 0;
  private server!: Server;

  constructor(private readonly users: Map<string, number>) {}

  async listen(): Promise<number> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += String(c);
    const body = JSON.parse(raw) as Record<string, unknown>;
    // The keys PkLoad writes are named by the token's digest, as the gateway's are.
    const userId = this.users.get(tokenDigest(String(req.headers.authorization).replace('Bearer ', ''))) ?? 0;
    this.calls.push({ path: req.url ?? '', userId, body });
    const answer = (code: number, data: unknown): void => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ code, msg: code === 200 ? 'ok' : 'refused', data }));
    };
    if (userId === 0) return answer(401, null);
    if (req.url === '/living/startingLiving') return answer(200, { roomId: 77 });
    if (req.url === '/living/onlinePK') {
      if (this.pk && !this.pk.endReason) return answer(14001, null);
      this.seq += 1;
      this.pk = { pkId: `pk-77-${this.seq}`, challengerId: userId, progress: 50, endReason: '', winnerId: null };
      return answer(200, { pkId: this.pk.pkId, endsAt: Date.now() + 300_000 });
    }
    if (req.url === '/living/pkState')
      return answer(200, {
        pkId: this.pk?.pkId ?? null,
        anchorId: 500,
        challengerId: this.pk?.challengerId ?? null,
        progress: this.pk?.progress ?? 50,
        seq: this.seq,
        endsAt: this.pk ? Date.now() + 300_000 : null,
        winnerId: this.pk?.winnerId ?? null,
        endReason: this.pk?.endReason ?? '',
      });
    answer(404, null);
  }
}

/** Polls until `ok()` holds (the PK load polls every 20 ms here); fails after 10 s. */
async function until(ok: () => boolean): Promise<void> {
  for (const end = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 10)))
    if (Date.now() > end) throw new Error('condition not reached');
}

describe('PkLoad (the PK room of a bench or chaos load)', () => {
  const tokens = new Map<string, number>();
  /** writeTokens' surface: the sessions PkLoad writes (by token digest) are the fake gateway's logins. */
  const redis = {
    set: async (key: string, value: string) => {
      tokens.set(key.replace(/^.*\{token:(.*)\}:user$/, '$1'), Number(value.split(':')[0]));
      return 'OK';
    },
  } as unknown as RedisClient;
  let gateway: FakePkGateway;
  let dir: string;
  let load: PkLoad;

  beforeEach(async () => {
    gateway = new FakePkGateway(tokens);
    dir = mkdtempSync(join(tmpdir(), 'pk-load-'));
    load = await PkLoad.open({
      ports: [await gateway.listen()],
      redis,
      keyPrefix: 'spec',
      firstUser: 500,
      maxStarts: 3,
      pollMs: 20,
      receiversFile: join(dir, 'receivers.txt'),
      log: () => undefined,
    });
  });
  afterEach(async () => {
    await load.stop();
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a type-1 room as a fresh anchor, seats a fresh challenger, and gifts go to either side', async () => {
    expect(gateway.calls[0]).toEqual({ path: '/living/startingLiving', userId: 500, body: { type: 1 } });
    expect(load.roomIds()).toEqual([77]);
    const viewers: Viewer[] = [1, 2, 3].map((userId) => ({
      userId,
      token: 't',
      imToken: 'i',
      roomId: userId === 3 ? 9 : 8,
      anchorId: userId === 3 ? 90 : 80,
    }));
    const adopted = load.adopt(viewers, 8);
    expect(adopted.map((v) => [v.roomId, v.anchorId])).toEqual([
      [77, 500],
      [77, 500],
      [9, 90],
    ]);
    // No PK yet: the anchor only, and wrk reads "no challenger".
    expect(new Set(Array.from({ length: 50 }, () => load.receiverOf(adopted[0])))).toEqual(new Set([500]));
    expect(readFileSync(join(dir, 'receivers.txt'), 'utf8')).toBe('77 500 0\n');

    await load.start();
    expect(gateway.calls.find((c) => c.path === '/living/onlinePK')).toEqual({
      path: '/living/onlinePK',
      userId: 501,
      body: { roomId: 77 },
    });
    expect(readFileSync(join(dir, 'receivers.txt'), 'utf8')).toBe('77 500 501\n');
    const picked = new Set(Array.from({ length: 200 }, () => load.receiverOf(adopted[0])));
    expect(picked).toEqual(new Set([500, 501]));
    // Another room's sender: its own anchor, always.
    expect(new Set(Array.from({ length: 50 }, () => load.receiverOf(adopted[2])))).toEqual(new Set([90]));
    expect(load.audited()).toEqual({ roomIds: [77], pkIds: ['pk-77-1'] });
    // In PK at every poll: the harness' coverage check holds.
    await until(() => load.coverageCheck().figures.pkPollsInPk >= 3);
    expect(load.coverageCheck()).toMatchObject({ ok: true, figures: { pkStarts: 1, pkPollsOutOfPk: 0 } });
  });

  it('starts the next PK with a fresh challenger when one ends, at most maxStarts in all', async () => {
    await load.start();
    gateway.pk!.endReason = 'bound';
    gateway.pk!.winnerId = 500;
    await until(() => gateway.pk?.pkId === 'pk-77-2');
    expect(gateway.pk!.challengerId).toBe(502);
    // A PK gone with Redis' data (pkState shows none): the next one too.
    gateway.pk = null;
    await until(() => gateway.pk?.pkId === 'pk-77-3');
    expect(gateway.pk!.challengerId).toBe(503);
    // The third start was the last: once it ends the room stays without a PK, and gifts go to the anchor.
    gateway.pk!.endReason = 'time';
    gateway.pk!.winnerId = 0;
    await until(() => readFileSync(join(dir, 'receivers.txt'), 'utf8') === '77 500 0\n');
    const polls = gateway.calls.length;
    await until(() => gateway.calls.length > polls + 3);
    expect(gateway.calls.filter((c) => c.path === '/living/onlinePK').map((c) => c.userId)).toEqual([501, 502, 503]);
    expect(load.audited().pkIds).toEqual(['pk-77-1', 'pk-77-2', 'pk-77-3']);
    expect(load.counts).toMatchObject({ starts: 3, ended: 3 });
    // Out of starts, out of PK: once most polls find the room without one, the coverage check fails.
    await until(() => {
      const { pkPollsInPk, pkPollsOutOfPk } = load.coverageCheck().figures;
      return pkPollsOutOfPk > pkPollsInPk * 4;
    });
    expect(load.coverageCheck().ok).toBe(false);
  });
});

describe('expectedWinner (the audit: who wins an ended PK)', () => {
  it.each([
    ['bound', 100, 1],
    ['bound', 0, 2],
    ['bound', 60, undefined],
    ['time', 51, 1],
    ['time', 49, 2],
    ['time', 50, 0],
    ['offline', 10, 1],
    ['session', 10, 1],
    ['unknown', 50, undefined],
  ])('%s at %i: %p', (reason, progress, winner) => {
    expect(expectedWinner(reason as string, progress as number, 1, 2)).toBe(winner);
  });
});

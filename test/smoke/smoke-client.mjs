#!/usr/bin/env node
// A client of the public contract (../shared/API.md) and nothing else: global fetch and the `ws` package,
// no module of this project. Run against a system started by `npm start`:
//   node test/smoke/smoke-client.mjs http://127.0.0.1:8080
// Logs in two users, starts a room, recharges with /bank/devPay, opens two WebSockets in the room, sends a
// gift and sees its 5556 on both, races sends past the balance and sees 5557 on the sender only. Every 1003
// is acked with a full ImMsgBody ({ msgId, appId, userId, bizCode, data }), as the original clients do.
// Exits 0 with "smoke: OK" when every check held, 1 with the failed check otherwise.
import WebSocket from 'ws';

const base = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const MAGIC = 18673;
const [LOGIN, BIZ, HEARTBEAT, ACK] = [1001, 1003, 1004, 1005];
const [GIFT_SUCCESS, GIFT_FAIL] = [5556, 5557];
const started = Date.now();
const sockets = [];

const say = (msg) => console.log(`[smoke +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  say(`ok: ${what}`);
}

async function post(path, body, token, headers = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = await res.json();
  return { status: res.status, ...envelope };
}

async function ok(path, body, token, headers) {
  const res = await post(path, body, token, headers);
  if (res.code !== 200) throw new Error(`${path}: HTTP ${res.status} code ${res.code} ${res.msg}`);
  return res.data;
}

async function until(what, predicate, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function login(phone) {
  const { devCode } = await ok('/userLogin/sendLoginCode', { phone });
  check(typeof devCode === 'string' && devCode.length > 0, `login code for ${phone} (development provider)`);
  return ok('/userLogin/login', { phone, code: devCode });
}

/** One IM connection: logs in by URL, acks every 1003 with a whole ImMsgBody, heartbeats, records business messages. */
async function openIm(user, roomId) {
  const { token, wsImServerAddress } = await ok('/im/getImConfig', undefined, user.token);
  const ws = new WebSocket(`${wsImServerAddress}?token=${encodeURIComponent(token)}&roomId=${roomId}`);
  const conn = { ws, business: [], errors: [], closed: null };
  sockets.push(conn);
  const send = (code, body) => {
    const json = body === undefined ? '' : JSON.stringify(body);
    ws.send(
      JSON.stringify({ magic: MAGIC, code, len: Buffer.byteLength(json), ...(body === undefined ? {} : { body }) }),
    );
  };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 1001 login answer from ${wsImServerAddress}`)), 10_000);
    ws.on('error', reject);
    ws.on('close', (code) => {
      conn.closed = code;
      reject(new Error(`socket closed ${code} before login`));
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.code === LOGIN) {
        clearTimeout(timer);
        if (frame.body && 'error' in frame.body) reject(new Error(`login refused: ${frame.body.error}`));
        else resolve();
      } else if (frame.code === BIZ) {
        conn.business.push(frame.body);
        const { msgId, appId, userId, bizCode, data } = frame.body;
        send(ACK, { msgId, appId, userId, bizCode, data });
      } else if (frame.body && 'error' in frame.body) {
        conn.errors.push(frame.body.error);
      }
    });
  });
  conn.beat = setInterval(() => ws.readyState === WebSocket.OPEN && send(HEARTBEAT), 5_000);
  return conn;
}

async function main() {
  say(`public API at ${base}`);
  const suffix = String(Date.now()).slice(-7) + String(Math.floor(Math.random() * 10));
  const anchor = await login(`139${suffix}`);
  const viewer = await login(`138${suffix}`);
  check(anchor.userId !== viewer.userId, 'two users logged in');

  const { roomId } = await ok('/living/startingLiving', { type: 0 }, anchor.token);
  check(Number.isInteger(roomId) && roomId > 0, `room ${roomId} started by the anchor`);

  const { products } = await ok('/bank/products', { type: 0 }, viewer.token);
  const pack = [...products].sort((a, b) => a.coinNum - b.coinNum)[0];
  const { orderId } = await ok('/bank/payProduct', { productId: pack.id, paySource: 1, payChannel: 0 }, viewer.token);
  await ok('/bank/devPay', { orderId }, viewer.token);
  const { balance } = await ok('/bank/balance', undefined, viewer.token);
  check(balance === pack.coinNum, `recharged ${pack.coinNum} coins with /bank/devPay`);

  const anchorWs = await openIm(anchor, roomId);
  const viewerWs = await openIm(viewer, roomId);
  say('two WebSockets logged in to the room');

  const panel = await ok('/gift/listGift', undefined, viewer.token);
  const cheap = [...panel].sort((a, b) => a.price - b.price)[0];
  check(cheap && cheap.price <= balance, `gift panel (${panel.length} gifts)`);
  const { requestId } = await ok(
    '/gift/send',
    { giftId: cheap.giftId, roomId, receiverId: anchor.userId },
    viewer.token,
    { 'idempotency-key': `smoke-${suffix}` },
  );
  const effectOf = (conn, id) => conn.business.filter((b) => b.bizCode === GIFT_SUCCESS && b.data.requestId === id);
  await until(
    'the 5556 on both sockets',
    () => effectOf(anchorWs, requestId).length > 0 && effectOf(viewerWs, requestId).length > 0,
  );
  const effect = effectOf(anchorWs, requestId)[0].data;
  check(
    effect.giftId === cheap.giftId && effect.senderId === viewer.userId && effect.roomId === roomId,
    '5556 gift effect seen by the anchor and the viewer',
  );

  // Past the balance, all at once: the cached pre-check lets them through, settlement refuses the rest.
  const left = balance - cheap.price;
  const pricey = panel.filter((g) => g.price <= left).sort((a, b) => b.price - a.price)[0];
  check(pricey !== undefined, `a gift the remaining ${left} coins cover`);
  const tries = Math.floor(left / pricey.price) + 3;
  const answers = await Promise.all(
    Array.from({ length: tries }, (_, i) =>
      post(
        '/gift/send',
        { giftId: pricey.giftId, roomId, receiverId: anchor.userId, requestId: `race-${suffix}-${i}` },
        viewer.token,
      ),
    ),
  );
  const accepted = answers.filter((a) => a.code === 200).map((a) => a.data.requestId);
  check(
    answers.every((a) => a.code === 200 || a.status === 402),
    `${tries} racing sends answered (${accepted.length} accepted, the rest refused by the pre-check)`,
  );
  const outcomeIds = () =>
    new Set(
      viewerWs.business
        .filter((b) => b.bizCode === GIFT_SUCCESS || b.bizCode === GIFT_FAIL)
        .map((b) => b.data.requestId),
    );
  await until('an outcome for every accepted send on the sender socket', () =>
    accepted.every((id) => outcomeIds().has(id)),
  );
  const failures = viewerWs.business.filter((b) => b.bizCode === GIFT_FAIL);
  const charged = accepted.filter((id) => effectOf(viewerWs, id).length > 0);
  check(
    failures.length >= 1 && failures.every((f) => accepted.includes(f.data.requestId)),
    `5557 to the sender for ${failures.length} gift(s) past the balance`,
  );
  await until('the effects of the charged ones in the anchor socket', () =>
    charged.every((id) => effectOf(anchorWs, id).length > 0),
  );
  await new Promise((r) => setTimeout(r, 500));
  check(
    anchorWs.business.every((b) => b.bizCode !== GIFT_FAIL),
    'no 5557 on the anchor socket',
  );
  const after = (await ok('/bank/balance', undefined, viewer.token)).balance;
  check(
    after === left - charged.length * pricey.price && after >= 0,
    `balance ${after} = ${left} - ${charged.length} x ${pricey.price}, never negative`,
  );
  const dupes =
    [anchorWs, viewerWs].flatMap((c) => c.business.map((b) => b.msgId)).length -
    new Set(anchorWs.business.map((b) => b.msgId)).size -
    new Set(viewerWs.business.map((b) => b.msgId)).size;
  check(dupes === 0, 'every message delivered once (acks with whole ImMsgBody bodies accepted)');
  check(
    anchorWs.errors.length === 0 &&
      viewerWs.errors.length === 0 &&
      anchorWs.closed === null &&
      viewerWs.closed === null,
    'no error frame, both sockets still open',
  );
}

main().then(
  () => {
    for (const c of sockets) (clearInterval(c.beat), c.ws.close());
    say('smoke: OK');
    process.exit(0);
  },
  (err) => {
    for (const c of sockets) (clearInterval(c.beat), c.ws.terminate());
    console.error(`[smoke] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

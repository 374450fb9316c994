// Live probe of the IM frame limits (README, trust boundaries), against a stack started with `npm start`: 200
// sockets that never log in each send 19 login frames of ~890 unknown fields (8 KB; every other one not JSON)
// while one logged-in socket's heartbeats are timed. Prints the bytes answered, the sockets closed and the worst
// heartbeat wait. Not a test: a tool for an A/B between two builds on one machine.
//   node test/probes/misshapen-frames.mjs   (BASE=http://127.0.0.1:8080 PHONE=<an unused phone>)
import WebSocket from 'ws';
const base = process.env.BASE ?? 'http://127.0.0.1:8080';
async function post(path, body, token) {
  const headers = {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const res = await fetch(base + path, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()).data;
}
const phone = process.env.PHONE ?? '13900000298';
const { devCode } = await post('/userLogin/sendLoginCode', { phone });
const { token } = await post('/userLogin/login', { phone, code: devCode });
const im = await post('/im/getImConfig', undefined, token);
const url = im.wsImServerAddress;
const me = new WebSocket(`${url}?token=${encodeURIComponent(im.token)}`);
await new Promise((resolve, reject) => {
  me.on('message', resolve);
  me.on('error', reject);
});
let worst = 0;
let sentAt = 0;
me.on('message', (raw) => {
  if (String(raw).includes('"code":1004') && sentAt) {
    worst = Math.max(worst, performance.now() - sentAt);
    sentAt = 0;
  }
});
const beat = setInterval(() => {
  if (!sentAt) {
    sentAt = performance.now();
    me.send(JSON.stringify({ magic: 18673, code: 1004, len: 0, body: {} }));
  }
}, 20);
const fields = Object.fromEntries(Array.from({ length: 890 }, (_, i) => [`f${i}`, 1]));
const frame = JSON.stringify({ magic: 18673, code: 1001, len: 0, body: { token: 'x'.repeat(20), ...fields } });
const garbage = `${frame},`;
let answered = 0;
let closed = 0;
const t0 = performance.now();
await Promise.all(
  Array.from(
    { length: 200 },
    (_, i) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.on('message', (raw) => {
          answered += raw.length;
        });
        ws.on('close', () => {
          closed++;
          resolve();
        });
        ws.on('error', () => resolve());
        ws.on('open', () => {
          for (let k = 0; k < 19; k++) ws.send(k % 2 ? garbage : frame);
          setTimeout(() => ws.close(), 3000);
        });
      }),
  ),
);
clearInterval(beat);
console.log(
  `200 sockets x 19 frames of ${frame.length} B in ${(performance.now() - t0).toFixed(0)} ms; answers ${answered} B; closed ${closed}; worst heartbeat ${worst.toFixed(0)} ms`,
);
me.close();

// Live probe of the HTTP body limits (README, trust boundaries: bodies judged before the parse), against a stack
// started with `npm start` (the development profile: login codes are answered): three accounts send misshapen
// bodies (wide, deep, many values, and non-JSON variants) to /living/list, LOOPS at once each, while /health is
// timed every 20 ms. Prints the answers by kind, the time taken and /health's worst wait. Not a test: a tool for
// an A/B between two builds on one machine.
//   node test/probes/misshapen-bodies.mjs   (BASE=http://127.0.0.1:8080 LOOPS=6 PHONES=<3 unused phones, comma-separated>)
const base = process.env.BASE ?? 'http://127.0.0.1:8080';
async function post(path, body, headers = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
async function login(phone) {
  const code = (await post('/userLogin/sendLoginCode', JSON.stringify({ phone }))).body.data.devCode;
  return (await post('/userLogin/login', JSON.stringify({ phone, code }))).body.data.token;
}
const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, 1])));
const bodies = {
  wide,
  wideGarbage: `${wide.slice(0, -1)},}`,
  deep: `{"a":${'['.repeat(30000)}${']'.repeat(30000)}}`.slice(0, 64000),
  values: `[${'{},'.repeat(20000)}{}]`,
  closers: '}'.repeat(60000),
  quotes: '"'.repeat(60000),
};
const tokens = await Promise.all((process.env.PHONES ?? '13900000101,13900000102,13900000103').split(',').map(login));
let worst = 0;
let healthy = true;
const timer = setInterval(async () => {
  const t = performance.now();
  const r = await fetch(base + '/health');
  worst = Math.max(worst, performance.now() - t);
  healthy &&= r.status === 200;
}, 20);
const answers = {};
const t0 = performance.now();
const LOOPS = Number(process.env.LOOPS ?? 1);
await Promise.all(
  tokens
    .flatMap((token) => Array.from({ length: LOOPS }, () => token))
    .map(async (token) => {
      for (let round = 0; round < 5; round++)
        for (const [name, body] of Object.entries(bodies)) {
          const a = await post('/living/list', body, { authorization: `Bearer ${token}` });
          const key = `${name}: ${a.status} ${a.body?.msg}`;
          answers[key] = (answers[key] ?? 0) + 1;
        }
    }),
);
const took = performance.now() - t0;
clearInterval(timer);
await new Promise((r) => setTimeout(r, 100));
console.log(answers);
console.log(
  `${3 * LOOPS * 5 * Object.keys(bodies).length} bodies in ${took.toFixed(0)} ms; /health worst ${worst.toFixed(0)} ms, all 200: ${healthy}`,
);

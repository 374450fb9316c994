// live-gift web client: plain JS against the public API (../shared/API.md) and the im-core WebSocket.
'use strict';

const IM_MAGIC = 18673;
const FRAME = { LOGIN: 1001, LOGOUT: 1002, BIZ: 1003, HEARTBEAT: 1004, ACK: 1005 };
const BIZ = { GIFT_SUCCESS: 5556, GIFT_FAIL: 5557 };
const HEARTBEAT_MS = 10000;

const state = {
  token: localStorage.getItem('lg.token'),
  userId: Number(localStorage.getItem('lg.userId')) || 0,
  room: null,
  gifts: new Map(),
  ws: null,
  seen: new Set(),
};
const $ = (id) => document.getElementById(id);

// ---------- HTTP ----------
async function api(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(state.token ? { authorization: `Bearer ${state.token}` } : {}) },
    body: JSON.stringify(body || {}),
  });
  let envelope;
  try {
    envelope = await res.json();
  } catch {
    throw new Error(`server answered ${res.status}`);
  }
  if (envelope.code === 100002) {
    logoutLocally();
    throw new Error('Please log in again');
  }
  if (envelope.code !== 200) throw new Error(envelope.msg || `error ${envelope.code}`);
  return envelope.data;
}

function toast(msg, kind) {
  const el = $('toast');
  el.textContent = msg;
  el.className = `toast ${kind || ''}`;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 3500);
}

function show(view) {
  for (const v of ['login', 'lobby', 'room']) $(`view-${v}`).hidden = v !== view;
  $('logout').hidden = view === 'login';
  $('who').textContent = state.userId ? `user ${state.userId}` : '';
}

async function guarded(fn) {
  try {
    await fn();
  } catch (err) {
    toast(err.message || String(err));
  }
}

// ---------- login ----------
$('send-code').addEventListener('click', () =>
  guarded(async () => {
    const data = await api('/userLogin/sendLoginCode', { phone: $('phone').value.trim() });
    if (data && data.devCode) {
      $('dev-code').hidden = false;
      $('dev-code').textContent = `Development code: ${data.devCode}`;
      $('code').value = data.devCode;
    }
    toast('Code sent', 'info');
  }),
);

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded(async () => {
    const data = await api('/userLogin/login', { phone: $('phone').value.trim(), code: $('code').value.trim() });
    state.token = data.token;
    state.userId = data.userId;
    localStorage.setItem('lg.token', data.token);
    localStorage.setItem('lg.userId', String(data.userId));
    await enterLobby();
  });
});

function logoutLocally() {
  closeSocket();
  state.token = null;
  state.userId = 0;
  state.room = null;
  localStorage.removeItem('lg.token');
  localStorage.removeItem('lg.userId');
  show('login');
}

$('logout').addEventListener('click', () =>
  guarded(async () => {
    await api('/userLogin/logout').catch(() => undefined);
    logoutLocally();
  }),
);

// ---------- lobby ----------
async function enterLobby() {
  closeSocket();
  state.room = null;
  show('lobby');
  await loadRooms();
}

async function loadRooms() {
  const { list } = await api('/living/list', { type: 0, page: 1, pageSize: 50 });
  const ul = $('rooms');
  ul.replaceChildren(
    ...list.map((r) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.dataset.roomId = String(r.roomId);
      b.innerHTML = `<strong></strong><br><span class="muted"></span>`;
      b.querySelector('strong').textContent = r.roomName;
      b.querySelector('span').textContent = `room ${r.roomId} · anchor ${r.anchorId}`;
      b.addEventListener('click', () => guarded(() => enterRoom(r.roomId)));
      li.append(b);
      return li;
    }),
  );
  $('no-rooms').hidden = list.length > 0;
}

$('refresh-rooms').addEventListener('click', () => guarded(loadRooms));
$('start-form').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded(async () => {
    const name = $('room-name').value.trim();
    const { roomId } = await api('/living/startingLiving', name ? { type: 0, roomName: name } : { type: 0 });
    await enterRoom(roomId);
  });
});

// ---------- room ----------
async function enterRoom(roomId) {
  const room = await api('/living/anchorConfig', { roomId });
  state.room = room;
  $('room-title').textContent = room.roomName;
  $('room-role').textContent = room.isAnchor ? 'You are the anchor' : `Anchor: ${room.anchorNickName}`;
  $('feed').replaceChildren();
  $('effects').replaceChildren();
  show('room');
  await Promise.all([loadGifts(), refreshBalance(), refreshBoard()]);
  await openSocket(roomId);
}

$('leave-room').addEventListener('click', () => guarded(enterLobby));

async function loadGifts() {
  const gifts = await api('/gift/listGift');
  state.gifts = new Map(gifts.map((g) => [g.giftId, g]));
  $('gift-panel').replaceChildren(
    ...gifts.map((g) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.dataset.giftId = String(g.giftId);
      b.title = `Send ${g.giftName}`;
      b.append(giftImage(g), textSpan(g.giftName), textSpan(`${g.price} coin${g.price === 1 ? '' : 's'}`, 'price'));
      b.addEventListener('click', () => guarded(() => sendGift(g)));
      li.append(b);
      return li;
    }),
  );
}

function slugOf(name) {
  return String(name || '')
    .toLowerCase()
    .replace(/\s+/g, '-');
}

/** The gift's cover; the seed CDN may be unreachable, so a local picture stands in on error. */
function giftImage(g) {
  const img = document.createElement('img');
  img.alt = g.giftName;
  const local = `/assets/gifts/${slugOf(g.giftName)}.svg`;
  img.onerror = () => {
    if (img.dataset.fallback === 'local') {
      img.onerror = null;
      img.src = '/assets/gifts/gift.svg';
    } else {
      img.dataset.fallback = 'local';
      img.src = local;
    }
  };
  img.src = g.coverImgUrl && /^(https?:)?\/\//.test(g.coverImgUrl) ? g.coverImgUrl : local;
  return img;
}

function textSpan(text, cls) {
  const s = document.createElement('span');
  s.textContent = text;
  if (cls) s.className = cls;
  return s;
}

async function sendGift(g) {
  if (!state.room) return;
  if (state.room.isAnchor) throw new Error('Anchors receive gifts; open the room as a viewer to send one');
  await api('/gift/send', {
    giftId: g.giftId,
    roomId: state.room.roomId,
    receiverId: state.room.anchorId,
    requestId: newRequestId(),
  });
}

function newRequestId() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`)
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(0, 40);
}

async function refreshBalance() {
  const { balance } = await api('/bank/balance');
  $('balance').textContent = String(balance);
}

async function refreshBoard() {
  if (!state.room) return;
  const { entries } = await api('/gift/contributionBoard', { roomId: state.room.roomId, limit: 10 });
  $('board').replaceChildren(
    ...entries.map((e) => {
      const li = document.createElement('li');
      li.dataset.userId = String(e.userId);
      li.append(
        textSpan(e.userId === state.userId ? `you (user ${e.userId})` : `user ${e.userId}`),
        textSpan(String(e.score), 'price'),
      );
      return li;
    }),
  );
  $('board-empty').hidden = entries.length > 0;
}

$('open-recharge').addEventListener('click', () =>
  guarded(async () => {
    const box = $('products');
    if (!box.hidden) return void (box.hidden = true);
    const { products, currentBalance } = await api('/bank/products', { type: 0 });
    $('balance').textContent = String(currentBalance);
    box.replaceChildren(
      ...products.map((p) => {
        const b = document.createElement('button');
        b.dataset.productId = String(p.id);
        b.textContent = `${p.coinNum} coins · ¥${(p.price / 100).toFixed(2)}`;
        b.addEventListener('click', () => guarded(() => recharge(p)));
        return b;
      }),
    );
    box.hidden = false;
  }),
);

async function recharge(p) {
  const { orderId } = await api('/bank/payProduct', { productId: p.id, paySource: 1, payChannel: 0 });
  // Development payment provider: pays the order and sends the signed callback.
  await api('/bank/devPay', { orderId });
  $('products').hidden = true;
  await refreshBalance();
  toast(`+${p.coinNum} coins`, 'info');
}

// ---------- IM (WebSocket) ----------
function frame(code, body) {
  const json = body === undefined ? '' : JSON.stringify(body);
  return JSON.stringify({
    magic: IM_MAGIC,
    code,
    len: new TextEncoder().encode(json).length,
    ...(body === undefined ? {} : { body }),
  });
}

function closeSocket() {
  if (state.ws) {
    clearInterval(state.ws.beat);
    state.ws.onclose = null;
    try {
      state.ws.send(frame(FRAME.LOGOUT));
    } catch {
      /* already closed */
    }
    state.ws.close();
    state.ws = null;
  }
}

async function openSocket(roomId) {
  closeSocket();
  const { token, wsImServerAddress } = await api('/im/getImConfig');
  const ws = new WebSocket(`${wsImServerAddress}?token=${encodeURIComponent(token)}&roomId=${roomId}`);
  state.ws = ws;
  ws.onopen = () => {
    ws.beat = setInterval(() => ws.readyState === 1 && ws.send(frame(FRAME.HEARTBEAT)), HEARTBEAT_MS);
  };
  ws.onmessage = (ev) => {
    let f;
    try {
      f = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (f.code === FRAME.LOGIN) document.body.dataset.im = 'online';
    if (f.code !== FRAME.BIZ || !f.body) return;
    ws.send(frame(FRAME.ACK, { msgId: f.body.msgId }));
    if (state.seen.has(f.body.msgId)) return; // a resend of something already shown
    state.seen.add(f.body.msgId);
    onBusiness(f.body.bizCode, f.body.data || {});
  };
  ws.onclose = (ev) => {
    document.body.dataset.im = 'offline';
    // 4409: this user opened more sockets than the server keeps, this one (the oldest) gave way; coming
    // back would push out another tab in turn.
    if (ev.code === 4409) return;
    if (state.ws === ws && state.room)
      setTimeout(() => state.room && state.room.roomId === roomId && guarded(() => openSocket(roomId)), 2000);
  };
}

function onBusiness(bizCode, data) {
  if (bizCode === BIZ.GIFT_SUCCESS) {
    playEffect(data);
    const g = state.gifts.get(data.giftId);
    addFeed(
      `user ${data.senderId} sent ${data.giftName || (g && g.giftName) || 'a gift'}${data.combo > 1 ? ` x${data.combo}` : ''}`,
    );
    void refreshBoard().catch(() => undefined);
    if (data.senderId === state.userId || (state.room && data.receiverId === state.userId))
      void refreshBalance().catch(() => undefined);
  } else if (bizCode === BIZ.GIFT_FAIL) {
    toast(`Gift not sent: ${data.msg}`);
    addFeed(`your gift failed: ${data.msg}`);
    void refreshBalance().catch(() => undefined);
  }
}

function addFeed(text) {
  const li = document.createElement('li');
  li.textContent = text;
  $('feed').prepend(li);
  while ($('feed').children.length > 50) $('feed').lastChild.remove();
}

/** The gift's effect as an overlay: an animated picture (SVGA players need a CDN this page does not rely on). */
function playEffect(data) {
  const g = state.gifts.get(data.giftId) || { giftName: data.giftName, coverImgUrl: '' };
  const el = document.createElement('div');
  el.className = 'effect';
  el.dataset.requestId = data.requestId;
  el.dataset.giftId = String(data.giftId);
  el.append(giftImage(g), textSpan(`user ${data.senderId}`, 'who'), textSpan(`${g.giftName || data.giftName}`));
  if (data.combo > 1) el.append(textSpan(`x${data.combo}`, 'combo'));
  el.style.left = `${35 + Math.random() * 30}%`;
  $('effects').append(el);
  setTimeout(() => el.remove(), 6000);
}

// ---------- start ----------
(async () => {
  if (!state.token) return show('login');
  try {
    await enterLobby();
  } catch {
    logoutLocally();
  }
})();

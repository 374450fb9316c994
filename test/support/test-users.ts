import { HttpClient } from './http-client';
import { waitFor } from './wait-for';

let phoneSeq = Math.floor(Math.random() * 1e7);

/** A new user (or the one of `phone`), logged in over HTTP with the development login code: a client carrying its token. */
export async function loginNewUser(
  http: HttpClient,
  phone = `135${String((phoneSeq += 1) % 1e8).padStart(8, '0')}`,
): Promise<{ client: HttpClient; userId: number }> {
  const code = await http.post('/userLogin/sendLoginCode', { phone });
  const res = await http.post('/userLogin/login', {
    phone,
    code: code.body.data.devCode!,
  });
  if (res.body.code !== 200) throw new Error(`login of ${phone} failed: ${res.body.msg}`);
  return { client: http.as(res.body.data.token), userId: res.body.data.userId };
}

/** Buys the product worth `coins` and has the development payment provider pay it; the order's id. */
export async function rechargeCoins(client: HttpClient, coins: number): Promise<string> {
  const { body } = await client.post('/bank/products', { type: 0 });
  const product = body.data.products.find((p) => p.coinNum === coins);
  if (!product) throw new Error(`no product of ${coins} coins`);
  const order = await client.post('/bank/payProduct', {
    productId: product.id,
    paySource: 1,
    payChannel: 0,
  });
  if (order.body.code !== 200) throw new Error(`payProduct failed: ${order.body.code} ${order.body.msg}`);
  const paid = await client.post('/bank/devPay', { orderId: order.body.data.orderId });
  if (paid.body.code !== 200) throw new Error(`devPay failed: ${paid.body.msg}`);
  return order.body.data.orderId;
}

/** Opens a living room (type 0) as the client's user; its room id. */
export async function startLiving(client: HttpClient): Promise<number> {
  const res = await client.post('/living/startingLiving', { type: 0 });
  if (res.body.code !== 200) throw new Error(`startingLiving failed: ${res.body.code} ${res.body.msg}`);
  return res.body.data.roomId;
}

/** Waits until the gateway hands out the stack's im-core node (it registers itself in Redis on start). */
export async function waitForImNode(http: HttpClient, wsUrl: string | null): Promise<void> {
  await waitFor(
    'the im-core node in the registry',
    async () => {
      const { client } = await loginNewUser(http);
      return (await client.post('/im/getImConfig')).body.data.wsImServerAddress === wsUrl;
    },
    10_000,
  );
}

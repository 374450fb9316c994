import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser } from './support/test-users';

/**
 * POST /gift/send's body is checked by Fastify's compiled validator (the route's JSON schema), held to the
 * validation pipe's rules: no coercion but form digits, unknown fields refused, the envelope with 100001.
 */
describe('POST /gift/send: the body schema', () => {
  let stack: TestStack;
  let client: HttpClient;

  beforeAll(async () => {
    stack = await startTestStack();
    client = (await loginNewUser(new HttpClient(stack.baseUrl))).client;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const send = (body: string, contentType = 'application/json') =>
    client.request('POST', '/gift/send', body, { 'content-type': contentType });

  it.each([
    ['{"giftId":true,"roomId":1,"receiverId":2}', 'giftId must be an integer number'],
    ['{"giftId":1.5,"roomId":1,"receiverId":2}', 'giftId must be an integer number'],
    ['{"giftId":"1.5","roomId":1,"receiverId":2}', 'giftId must be an integer number'],
    ['{"giftId":null,"roomId":1,"receiverId":2}', 'giftId must be an integer number'],
    ['{"giftId":0,"roomId":1,"receiverId":2}', 'giftId must not be less than 1'],
    ['{"giftId":2147483648,"roomId":1,"receiverId":2}', 'giftId must not be greater than 2147483647'],
    ['{"giftId":1,"roomId":99999999999999999999,"receiverId":2}', 'roomId must not be greater than 9007199254740991'],
    ['{"giftId":1,"roomId":1}', 'receiverId is required'],
    ['{"giftId":1,"roomId":1,"receiverId":2,"userId":7}', 'property userId should not exist'],
    ['{"giftId":1,"roomId":1,"receiverId":2,"requestId":7}', 'requestId must be a string'],
    ['{"giftId":1,"roomId":1,"receiverId":2,"requestId":"a b"}', 'requestId must match pattern'],
    ['[1,2]', 'body must be an object'],
    ['"a string"', 'body must be an object'],
  ])('%s: 400, 100001, %s', async (body, msg) => {
    const answer = await send(body);
    expect([answer.status, answer.body.code, answer.body.data]).toEqual([400, 100001, null]);
    expect(answer.body.msg).toContain(msg);
  });

  it('a form body with digit strings passes the schema (refused further on, by the gift lookup)', async () => {
    const answer = await send('giftId=2147483647&roomId=1&receiverId=2', 'application/x-www-form-urlencoded');
    expect([answer.status, answer.body.code]).toEqual([404, 11001]);
    expect(answer.body.msg).toContain('2147483647');
  });
});

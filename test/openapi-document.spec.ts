import { OpenAPIObject } from '@nestjs/swagger';
import { gatewayOpenApi } from '../scripts/api-docs';

type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: { code: number } }> }> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> };
  parameters?: { schema: { example?: unknown } }[];
};

const operation = (doc: OpenAPIObject, path: string, method = 'post'): Operation =>
  (doc.paths[path] as Record<string, Operation>)[method];

/** The codes a response documents, from its examples. */
const codesAt = (op: Operation, status: number): number[] =>
  Object.values(op.responses[String(status)]?.content?.['application/json']?.examples ?? {}).map((e) => e.value.code);

describe('the gateway OpenAPI document (built from the routes, as /docs/json serves it)', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await gatewayOpenApi();
  });

  it('every operation has a summary, a request example (POST) and the error envelope on 4xx/5xx', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations).toHaveLength(40);
    for (const { method, op } of operations) {
      expect(op.summary).toEqual(expect.any(String));
      if (method === 'post') expect(op.requestBody?.content['application/json'].examples).toBeDefined();
      else expect(op.parameters?.[0].schema.example).toEqual(expect.any(String)); // GET /health: its one header
      expect(codesAt(op, 500)).toEqual([100500]);
    }
  });

  it('security: none on the public routes, cookie qytk or bearer on every other', () => {
    for (const path of ['/userLogin/sendLoginCode', '/userLogin/login', '/bank/payNotify']) {
      expect(operation(doc, path).security).toEqual([]);
      expect(codesAt(operation(doc, path), 401)).toEqual([]);
    }
    expect(operation(doc, '/health', 'get').security).toEqual([]);
    expect(operation(doc, '/gift/listGift').security).toEqual([{ cookie: [] }, { bearer: [] }]);
    expect(codesAt(operation(doc, '/gift/listGift'), 401)).toEqual([100002]);
    expect(doc.components?.securitySchemes?.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'qytk' });
  });

  it("each route's own codes, those of its guards (admin, rate limit) and of validation", () => {
    const send = operation(doc, '/gift/send');
    expect(codesAt(send, 400)).toEqual([100001]);
    expect(codesAt(send, 413)).toEqual([100001]);
    expect(codesAt(send, 415)).toEqual([100001]);
    expect(codesAt(send, 402)).toEqual([12001]);
    expect(codesAt(send, 404)).toEqual([11001, 10003]);
    expect(codesAt(send, 409)).toEqual([10007]);
    expect(codesAt(send, 429)).toEqual([-10001]);
    expect(codesAt(send, 503)).toEqual([11003, 100503]);
    expect(codesAt(operation(doc, '/gift/admin/update'), 403)).toEqual([100003]);
    expect(codesAt(operation(doc, '/userLogin/sendLoginCode'), 429)).toEqual([-10001, 10001]);
    expect(codesAt(operation(doc, '/health', 'get'), 503)).toEqual([100503]);
    const roomHistory = operation(doc, '/gift/history/room');
    expect(codesAt(roomHistory, 403)).toEqual([10004]);
    expect(codesAt(roomHistory, 404)).toEqual([10003]);
    expect(codesAt(operation(doc, '/gift/history/sent'), 403)).toEqual([]);
    const withdraw = operation(doc, '/bank/withdraw');
    expect(codesAt(withdraw, 400)).toEqual([100001, 12011]);
    expect(codesAt(withdraw, 402)).toEqual([12012]);
    expect(codesAt(withdraw, 403)).toEqual([12009]);
    expect(codesAt(withdraw, 409)).toEqual([10007]);
    expect(codesAt(withdraw, 429)).toEqual([-10001]);
    const reject = operation(doc, '/bank/admin/withdrawal/reject');
    expect(codesAt(reject, 403)).toEqual([100003]);
    expect(codesAt(reject, 404)).toEqual([12013]);
    expect(codesAt(reject, 409)).toEqual([12014]);
    const refund = operation(doc, '/bank/admin/refund');
    expect(codesAt(refund, 403)).toEqual([100003]);
    expect(codesAt(refund, 409)).toEqual([12022, 12021]);
    expect(codesAt(operation(doc, '/bank/payProduct'), 409)).toEqual([12023, 10007]);
    expect(codesAt(operation(doc, '/bank/payNotify'), 409)).toEqual([12005]);
    expect(codesAt(operation(doc, '/bank/devPay'), 409)).toEqual([12005, 12020]);
    for (const review of ['/bank/admin/withdrawal/approve', '/bank/admin/withdrawal/markPaid'] as const)
      expect(codesAt(operation(doc, review), 403)).toEqual([100003, 12009]);
  });
});

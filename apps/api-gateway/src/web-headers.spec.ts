import { contentSecurityPolicy, webSocketOrigins } from './web-headers';

describe("the web client's Content-Security-Policy", () => {
  it("allows WebSockets to GATEWAY_IM_WS_URL's origin and GATEWAY_WEB_WS_ORIGINS, each once, nothing else", () => {
    expect(
      webSocketOrigins({
        GATEWAY_IM_WS_URL: 'ws://127.0.0.1:8090/ws',
        GATEWAY_WEB_WS_ORIGINS: 'ws://127.0.0.1:8090, ws://127.0.0.1:8100,wss://im.example.com',
      }),
    ).toEqual(['ws://127.0.0.1:8090', 'ws://127.0.0.1:8100', 'wss://im.example.com']);
    expect(webSocketOrigins({ GATEWAY_IM_WS_URL: 'wss://im.example.com:443/ws', GATEWAY_WEB_WS_ORIGINS: '' })).toEqual([
      'wss://im.example.com',
    ]);
  });

  it('never lets a configured value add a directive or a wildcard', () => {
    expect(
      webSocketOrigins({
        GATEWAY_IM_WS_URL: 'ws://a;script-src/ws',
        GATEWAY_WEB_WS_ORIGINS: "ws://*,ws://b;x,'unsafe-eval'",
      }),
    ).toEqual([]);
  });

  it('is strict: no inline script or style, no framing, no <base>, forms to itself', () => {
    expect(contentSecurityPolicy(['ws://127.0.0.1:8090'])).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self' ws://127.0.0.1:8090; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; " +
        "form-action 'self'",
    );
  });
});

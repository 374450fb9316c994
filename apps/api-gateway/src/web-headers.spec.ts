import { contentSecurityPolicy, isDocsPath, webSocketOrigins } from './web-headers';

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

describe('the CSP of /docs (inline styles) goes to /docs only', () => {
  it('reads the path as the static file server does: decoded and normalized', () => {
    for (const url of [
      '/docs',
      '/docs/',
      '/docs/json',
      '/docs/static/index.html?x=1',
      '/%64ocs/json', // escaped letters: decoded first
      '/x/..%2f%64%6F%63%73',
      '/x/../docs',
      '/x\\..\\docs\\json',
    ])
      expect([url, isDocsPath(url)]).toEqual([url, true]);
    for (const url of [
      '/docs%2f..%2findex.html', // the web client's page under the docs' CSP (an attacker pass)
      '/docs%2F..%2Fapp.js',
      '/docs/../index.html',
      '/docs\\..\\index.html',
      '/docsx',
      '/',
      '/index.html',
      '/docs%', // undecodable: the page's CSP
      '/gift/send?next=/docs',
      '/DOCS',
    ])
      expect([url, isDocsPath(url)]).toEqual([url, false]);
  });
});

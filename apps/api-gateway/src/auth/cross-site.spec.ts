import { allowedOriginsOf, crossSiteRefusal, isCrossSite } from './cross-site';

describe('isCrossSite', () => {
  const allowed = allowedOriginsOf(' https://friend.example , capacitor://localhost,HTTPS://Upper.Example:443');
  const post = (origin: string | undefined, host = 'live.example', protocol = 'https') => ({
    method: 'POST',
    protocol,
    host,
    headers: origin === undefined ? {} : { origin },
  });

  it("takes the page's own origin as an origin: scheme, host and port, default ports and case folded", () => {
    expect(isCrossSite(post('https://live.example'), allowed)).toBe(false);
    expect(isCrossSite(post('https://LIVE.example:443'), allowed)).toBe(false);
    expect(isCrossSite(post('https://live.example', 'live.example:443'), allowed)).toBe(false);
    expect(isCrossSite(post('http://live.example:80', 'live.example', 'http'), allowed)).toBe(false);
    expect(isCrossSite(post('http://[::1]:8080', '[::1]:8080', 'http'), allowed)).toBe(false);
    expect(isCrossSite(post('http://live.example'), allowed)).toBe(true); // http page, https gateway
    expect(isCrossSite(post('https://live.example:8443'), allowed)).toBe(true); // another port: another origin
    expect(isCrossSite(post('https://evil.live.example'), allowed)).toBe(true); // a sibling subdomain
    expect(isCrossSite(post('https://live.example.evil.example'), allowed)).toBe(true);
  });

  it('lets the listed origins, requests without an Origin and safe methods through; refuses null and junk', () => {
    for (const origin of ['https://friend.example', 'capacitor://localhost', 'https://upper.example'])
      expect([origin, isCrossSite(post(origin), allowed)]).toEqual([origin, false]);
    expect(isCrossSite(post(undefined), allowed)).toBe(false);
    expect(isCrossSite({ ...post('https://evil.example'), method: 'GET' }, allowed)).toBe(false);
    for (const origin of ['null', '', 'evil.example', 'https://friend.example/path-is-no-origin-but-same'])
      expect([origin, isCrossSite(post(origin), allowed)]).toEqual([origin, origin.includes('friend') ? false : true]);
    expect(
      isCrossSite({ method: 'POST', headers: { origin: 'https://live.example', host: 'live.example' } }, allowed),
    ).toBe(
      true, // no protocol known: http assumed, and the page is https
    );
  });

  it('refuses with 403 / 100003 naming the origin', () => {
    const refusal = crossSiteRefusal(post('https://evil.example'), allowed);
    expect([refusal?.httpStatus, refusal?.code, refusal?.message]).toEqual([
      403,
      100003,
      "cross-site request refused: a page of https://evil.example cannot act with this site's login cookie",
    ]);
    expect(crossSiteRefusal(post('https://live.example'), allowed)).toBeUndefined();
  });
});

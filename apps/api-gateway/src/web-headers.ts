import type { FastifyReply, FastifyRequest } from 'fastify';
import { posix } from 'node:path';
import { isWsOrigin } from './config/api-gateway.env';

/**
 * The WebSocket origins the page may open (CSP connect-src): GATEWAY_IM_WS_URL's (handed out while no im-core
 * node is registered) and GATEWAY_WEB_WS_ORIGINS (the registered nodes' advertised addresses), each once.
 */
export function webSocketOrigins(env: { GATEWAY_IM_WS_URL: string; GATEWAY_WEB_WS_ORIGINS: string }): string[] {
  const configured = env.GATEWAY_WEB_WS_ORIGINS.split(',').map((o) => o.trim());
  let fallback = '';
  try {
    fallback = new URL(env.GATEWAY_IM_WS_URL).origin;
  } catch {
    // validated as ws(s)://…; an origin Node cannot parse is not one a browser would open either
  }
  return [...new Set([fallback, ...configured])].filter((o) => o !== '' && isWsOrigin(o));
}

/**
 * The web client's Content-Security-Policy: its own scripts, styles, fonts and pictures only (gift pictures are
 * the gateway's /assets/gifts; data: for inline SVG), fetch to this origin and WebSockets to the im-core
 * origins, never framed (clickjacking of the gift and recharge buttons), no <base>, no plugin, forms to itself.
 * `/docs` (Swagger UI) keeps the same but for its inline <style> blocks.
 */
export function contentSecurityPolicy(wsOrigins: string[], inlineStyles = false): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${inlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    ['connect-src', "'self'", ...wsOrigins].join(' '),
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The headers of the page's answers and of /docs' (its CSP allows inline styles). */
export function webSecurityHeaderSets(wsOrigins: string[]): {
  page: Record<string, string>;
  docs: Record<string, string>;
} {
  const common = { 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };
  return {
    page: { ...common, 'content-security-policy': contentSecurityPolicy(wsOrigins) },
    docs: { ...common, 'content-security-policy': contentSecurityPolicy(wsOrigins, true) },
  };
}

/**
 * onRequest hook: every answer of the gateway (the web client's files, the API's JSON, 404s, errors) carries the
 * page's CSP, X-Frame-Options: DENY and Referrer-Policy: no-referrer (nosniff: every app's, startApp). The header
 * values are built once; per request, a prefix test and four header writes.
 */
export function webSecurityHeaders({ page, docs }: ReturnType<typeof webSecurityHeaderSets>) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    void reply.headers(isDocsPath(request.url) ? docs : page);
    done();
  };
}

/**
 * Whether a request URL names /docs (Swagger UI) as the static file server will read it: decoded, then
 * normalized, so `/docs%2f..%2findex.html` (the web client's page) is not /docs. Undecodable: not /docs (the
 * page's stricter CSP).
 */
export function isDocsPath(url: string): boolean {
  const query = url.indexOf('?');
  const raw = query < 0 ? url : url.slice(0, query);
  // Every request passes here (1% of a gift send's CPU decoded and normalized it): a path that neither names
  // "docs" nor escapes a character cannot become /docs.
  if (!raw.includes('docs') && !raw.includes('%')) return false;
  let path: string;
  try {
    path = posix.normalize(decodeURIComponent(raw.replace(/\\/g, '/')));
  } catch {
    return false;
  }
  return path === '/docs' || path.startsWith('/docs/');
}

import { BaseErrorCode, BizException } from '@live/common';

/** Methods a page of any site can make a browser send with this site's cookies only if they change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the check reads of a request (Fastify's `host` honors GATEWAY_TRUST_PROXY's X-Forwarded-Host). */
export interface OriginCheckedRequest {
  method: string;
  protocol?: string;
  host?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** GATEWAY_ALLOWED_ORIGINS as a set of origins (`scheme://host[:port]`, no path; default ports left out). */
export function allowedOriginsOf(setting: string): ReadonlySet<string> {
  return new Set(
    setting
      .split(',')
      .map((o) => originOf(o.trim()))
      .filter((o): o is string => o !== undefined),
  );
}

/**
 * Whether a browser request was sent by a page of another origin than the gateway's own (where the web client is
 * served) and GATEWAY_ALLOWED_ORIGINS: its `Origin` header, compared as an origin (scheme, host, port; `:443` of
 * https and `:80` of http are the same as none) with the request's own (Fastify's `protocol` and `host` honor
 * GATEWAY_TRUST_PROXY's X-Forwarded-Proto and X-Forwarded-Host). Browsers send `Origin` with every cross-origin
 * request and every POST, so a request without one is not a page's (apps, curl, server callbacks) and is not
 * cross-site; `null` (a sandboxed or file page) and anything unparseable are. Only unsafe methods count.
 */
export function isCrossSite(req: OriginCheckedRequest, allowed: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const header = firstOf(req.headers.origin);
  if (header === undefined) return false;
  const origin = originOf(header.trim());
  if (origin === undefined) return true;
  const host = req.host ?? firstOf(req.headers.host);
  return !allowed.has(origin) && (host === undefined || origin !== originOf(`${req.protocol ?? 'http'}://${host}`));
}

/**
 * A browser request sent by a page of another origin that would act with the `qytk` cookie: refused, 403.
 * SameSite=Lax is not enough: "same site" ignores the port and covers sibling subdomains. A request with a bearer
 * token is not checked (no page of another site can make a browser send that header: CORS), and the bearer is
 * read first. A login from another origin is answered without the cookie instead (login CSRF: LoginController).
 */
export function crossSiteRefusal(req: OriginCheckedRequest, allowed: ReadonlySet<string>): BizException | undefined {
  if (!isCrossSite(req, allowed)) return undefined;
  const origin = (firstOf(req.headers.origin) ?? '').slice(0, 100);
  return new BizException(
    BaseErrorCode.FORBIDDEN,
    `cross-site request refused: a page of ${origin} cannot act with this site's login cookie`,
  );
}

/** `scheme://host[:port]` of a URL, default port left out and lower case; undefined when it is not one. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? undefined : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

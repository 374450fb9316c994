import { BaseErrorCode, BizException } from '@live/common';

/** Methods a page of any site can make a browser send with this site's cookies only if they change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the check reads of a request (Fastify's `host` honors GATEWAY_TRUST_PROXY's X-Forwarded-Host). */
export interface OriginCheckedRequest {
  method: string;
  host?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** GATEWAY_ALLOWED_ORIGINS as a set of origins (`scheme://host[:port]`, no path). */
export function allowedOriginsOf(setting: string): ReadonlySet<string> {
  return new Set(
    setting
      .split(',')
      .map((o) => o.trim().toLowerCase())
      .filter((o) => o !== ''),
  );
}

/**
 * A browser request sent by a page of another origin that would ride on the `qytk` cookie (or set it: a login,
 * "login CSRF", where the victim's browser is logged in as the attacker and pays into the attacker's account):
 * refused, 403. Browsers send `Origin` with every cross-origin request and every POST, so a request without
 * one is not a page's (apps, curl, server callbacks) and passes; so do the page's own origin (the request's
 * host: the web client is served by the gateway) and GATEWAY_ALLOWED_ORIGINS. SameSite=Lax is not enough:
 * "same site" ignores the port and covers sibling subdomains. A request with a bearer token is not checked:
 * no page of another site can make a browser send that header (CORS), and the bearer is read first.
 */
export function crossSiteRefusal(req: OriginCheckedRequest, allowed: ReadonlySet<string>): BizException | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const header = req.headers.origin;
  const origin = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (origin === undefined || allowed.has(origin)) return undefined;
  const host = (req.host ?? firstOf(req.headers.host))?.toLowerCase();
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return undefined;
  return new BizException(
    BaseErrorCode.FORBIDDEN,
    `cross-site request refused: a page of ${origin.slice(0, 100)} cannot act with this site's login cookie`,
  );
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

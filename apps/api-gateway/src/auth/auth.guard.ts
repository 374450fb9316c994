import { BaseErrorCode, BizException } from '@live/common';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminRights } from './admin-rights';
import { IS_ADMIN, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, RequestUser } from './auth.types';
import { allowedOriginsOf, crossSiteRefusal, OriginCheckedRequest } from './cross-site';
import { GatewayEnv } from '../config/api-gateway.env';
import { cookieUserOf, EXPECTED_USER_HEADER, expectedUserOf, tokenCookiesOf } from './session-cookies';

/**
 * The bearer token of a request (`Authorization: Bearer`), read before any cookie: an explicit header no other
 * site's page can make a browser send. The cookie first let a cookie planted by a cross-site login (login CSRF)
 * override the web client's own bearer: its calls ran as the attacker.
 */
export function bearerOf(req: AuthenticatedRequest): string | undefined {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value ? /^Bearer\s+(\S+)$/i.exec(value)?.[1] : undefined;
}

/**
 * Global: every route needs a valid token unless @Public(); one read from the cookie only from a page of this
 * site's origin (crossSiteRefusal: no cross-site request forgery) and, when several were sent, the one of the
 * user the page says it is (cookieUserOf: no cookie tossing); the user id comes from the token alone
 * (request.user), so a client can never set it. @AdminOnly() routes also need the admin role, as it is now
 * (AdminRights: the token's role and the phone still on GATEWAY_ADMIN_PHONES).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly admins: AdminRights,
    env: GatewayEnv,
  ) {
    this.allowedOrigins = allowedOriginsOf(env.GATEWAY_ALLOWED_ORIGINS);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & OriginCheckedRequest>();
    const { user, token } = await this.callerOf(req);
    req.user = user;
    req.authToken = token;
    if (this.reflector.getAllAndOverride<boolean>(IS_ADMIN, targets) && !(await this.admins.holds(user))) {
      throw new BizException(BaseErrorCode.FORBIDDEN, 'admin only');
    }
    return true;
  }

  /** The bearer's user; else the login cookie's, from a page of this site only, told apart from tossed ones. */
  private async callerOf(
    req: AuthenticatedRequest & OriginCheckedRequest,
  ): Promise<{ user: RequestUser; token: string }> {
    const resolve = (token: string) => this.auth.resolveToken(token);
    const bearer = bearerOf(req);
    if (bearer) {
      const user = await resolve(bearer);
      if (!user) throw new BizException(BaseErrorCode.TOKEN_ERROR, 'token is invalid or expired');
      return { user, token: bearer };
    }
    const cookies = tokenCookiesOf(req.headers.cookie);
    if (cookies.length === 0) throw new BizException(BaseErrorCode.TOKEN_ERROR, 'login required');
    const refusal = crossSiteRefusal(req, this.allowedOrigins);
    if (refusal) throw refusal;
    return cookieUserOf(cookies, expectedUserOf(req.headers[EXPECTED_USER_HEADER]), resolve);
  }
}

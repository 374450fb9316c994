import { BaseErrorCode, BizException } from '@live/common';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminRights } from './admin-rights';
import { IS_ADMIN, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, TOKEN_COOKIE } from './auth.types';
import { allowedOriginsOf, crossSiteRefusal, OriginCheckedRequest } from './cross-site';
import { GatewayEnv } from '../config/api-gateway.env';

/**
 * The token of a request and where it came from: `Authorization: Bearer` first (an explicit header no other
 * site's page can make a browser send), else the `qytk` cookie. The cookie first let a cookie planted by a
 * cross-site login (login CSRF) override the web client's own bearer: its calls ran as the attacker.
 */
export function tokenSourceOf(req: AuthenticatedRequest): { token: string; fromCookie: boolean } | undefined {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const bearer = value ? /^Bearer\s+(\S+)$/i.exec(value)?.[1] : undefined;
  if (bearer) return { token: bearer, fromCookie: false };
  const cookie = req.cookies?.[TOKEN_COOKIE];
  return cookie ? { token: cookie, fromCookie: true } : undefined;
}

/** The token of a request (see tokenSourceOf). */
export function tokenOf(req: AuthenticatedRequest): string | undefined {
  return tokenSourceOf(req)?.token;
}

/**
 * Global: every route needs a valid token unless @Public(); one read from the cookie only from a page of this
 * site's origin (crossSiteRefusal: no cross-site request forgery); the user id comes from the token alone
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
    const source = tokenSourceOf(req);
    if (source?.fromCookie) {
      const refusal = crossSiteRefusal(req, this.allowedOrigins);
      if (refusal) throw refusal;
    }
    const token = source?.token;
    const user = token ? await this.auth.resolveToken(token) : null;
    if (!user)
      throw new BizException(BaseErrorCode.TOKEN_ERROR, token ? 'token is invalid or expired' : 'login required');
    req.user = user;
    if (this.reflector.getAllAndOverride<boolean>(IS_ADMIN, targets) && !(await this.admins.holds(user))) {
      throw new BizException(BaseErrorCode.FORBIDDEN, 'admin only');
    }
    return true;
  }
}

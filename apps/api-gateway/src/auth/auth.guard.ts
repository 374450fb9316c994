import { BaseErrorCode, BizException } from '@live/common';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminRights } from './admin-rights';
import { IS_ADMIN, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, TOKEN_COOKIE } from './auth.types';

/** The token of a request: cookie `qytk`, else `Authorization: Bearer`. */
export function tokenOf(req: AuthenticatedRequest): string | undefined {
  const cookie = req.cookies?.[TOKEN_COOKIE];
  if (cookie) return cookie;
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}

/**
 * Global: every route needs a valid token unless @Public(); the user id comes from the token alone
 * (request.user), so a client can never set it. @AdminOnly() routes also need the admin role, as it is now
 * (AdminRights: the token's role and the phone still on GATEWAY_ADMIN_PHONES).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly admins: AdminRights,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenOf(req);
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

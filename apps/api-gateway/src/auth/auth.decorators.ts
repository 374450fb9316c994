import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
export { IS_PUBLIC_ROUTE as IS_PUBLIC, Public } from '@live/common';
import { AuthenticatedRequest, RequestUser } from './auth.types';

export const IS_ADMIN = 'auth:admin';

/** Admins only (users whose phone is in GATEWAY_ADMIN_PHONES). */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ADMIN, true);

/** An admin-only POST route answering 200. */
export const AdminPost = (path: string): MethodDecorator => applyDecorators(AdminOnly(), PostOk(path));

/** The caller, as AuthGuard established it. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestUser => {
  const user = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error('CurrentUser on a route without AuthGuard');
  return user;
});

import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_ROUTE = 'route:public';

/** A route any caller may reach without a token (login, payment callback, health); auth guards honour it. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_ROUTE, true);

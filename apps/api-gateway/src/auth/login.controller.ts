import { ApiResponse, ApiResponses, clientAddress, GatewayErrorCode } from '@live/common';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Req, Res } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayEnv } from '../config/api-gateway.env';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { allowedOriginsOf, isCrossSite } from './cross-site';
import { AuthenticatedRequest, TOKEN_COOKIE } from './auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import { DevCodeView, LoginDto, LoginView, SendLoginCodeDto } from './login.dto';
import { ApiDoc } from '../docs/api-doc.decorator';

@ApiTags('login')
@Controller('userLogin')
export class LoginController {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly auth: AuthService,
    private readonly env: GatewayEnv,
  ) {
    this.allowedOrigins = allowedOriginsOf(env.GATEWAY_ALLOWED_ORIGINS);
  }

  @Public()
  @ApiDoc({
    ok: DevCodeView,
    summary:
      'Send a login code to a phone (development profile: returned as devCode); 1 a minute per phone, 10 a day per phone from networks that never logged in to it, 200 a day per address',
    example: { phone: '13800000001' },
    errors: [GatewayErrorCode.LOGIN_CODE_TOO_FREQUENT],
  })
  @PostOk('sendLoginCode')
  @RequestLimit({ limit: 100, seconds: 60, msg: 'too many login codes requested from this address, wait a minute' })
  async sendLoginCode(@Body() dto: SendLoginCodeDto, @Req() req: FastifyRequest): Promise<ApiResponse<DevCodeView>> {
    return ApiResponses.ok(await this.auth.sendLoginCode(dto.phone, clientAddress(req.ip)));
  }

  @Public()
  @ApiDoc({
    ok: LoginView,
    summary: 'Log in with the code: sets the qytk cookie and returns the token',
    example: { phone: '13800000001', code: '123456' },
    errors: [GatewayErrorCode.LOGIN_CODE_INVALID],
  })
  @PostOk('login')
  @RequestLimit({ limit: 100, seconds: 60, msg: 'too many login attempts from this address, wait a minute' })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiResponse<LoginView>> {
    // The client's address: the socket's, or X-Forwarded-For's from a trusted proxy (GATEWAY_TRUST_PROXY).
    const result = await this.auth.login(dto.phone, dto.code, clientAddress(req.ip));
    // A page of another origin logging the browser in (login CSRF: the victim's browser then acts as the
    // attacker's account) gets the token it cannot read, and no cookie; apps without a page's Origin, or a
    // WebView's own scheme, read the token from the answer as ever.
    if (!isCrossSite(req, this.allowedOrigins))
      void reply.setCookie(TOKEN_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.env.GATEWAY_COOKIE_SECURE === 'true',
        path: '/',
        maxAge: this.auth.tokenTtlSeconds(),
      });
    return ApiResponses.ok(result);
  }

  @ApiDoc({ ok: null, summary: 'Log out: the token stops working and the cookie is cleared', example: {} })
  @PostOk('logout')
  async logout(
    @Body() _body: EmptyBodyDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiResponse<null>> {
    if (req.authToken) await this.auth.logout(req.authToken, req.user?.userId);
    void reply.clearCookie(TOKEN_COOKIE, { path: '/' });
    return ApiResponses.ok(null);
  }
}

import { ApiResponse, ApiResponses } from '@live/common';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Req } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { AuthenticatedRequest, RequestUser } from '../auth/auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import { UserService } from '../user/user.service';
import { ImNodeDirectory } from './im-node.directory';
import { ApiDoc } from '../docs/api-doc.decorator';

class ImConfigView {
  @ApiProperty({ description: 'short-lived IM token for the WebSocket login' })
  token!: string;

  @ApiProperty({ example: 'ws://127.0.0.1:8090/ws' })
  wsImServerAddress!: string;
}

@ApiTags('im')
@Controller('im')
export class ImController {
  constructor(
    private readonly auth: AuthService,
    private readonly nodes: ImNodeDirectory,
    private readonly users: UserService,
  ) {}

  /**
   * Each answer is a new single-use IM token: 30 a minute per user covers reconnects and tabs, not a hoard.
   * The caller's nickname is put in Redis again on the way (im-core shows it with the user's chat messages).
   */
  @ApiDoc({ ok: ImConfigView, summary: 'A short-lived IM token and the WebSocket address to use it on', example: {} })
  @PostOk('getImConfig')
  @RequestLimit({ limit: 30, seconds: 60, msg: 'too many IM tokens requested, wait a minute' })
  async getImConfig(
    @CurrentUser() user: RequestUser,
    @Req() req: AuthenticatedRequest,
    @Body() _body: EmptyBodyDto,
  ): Promise<ApiResponse<ImConfigView>> {
    const [token, wsImServerAddress] = await Promise.all([
      this.auth.issueImToken(user.userId, req.authToken),
      this.nodes.wsAddressFor(user.userId),
      this.users.publishNick(user.userId),
    ]);
    return ApiResponses.ok({ token, wsImServerAddress });
  }
}

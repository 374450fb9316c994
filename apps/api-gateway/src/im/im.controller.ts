import { ApiResponse, ApiResponses } from '@live/common';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { RequestUser } from '../auth/auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import { ImNodeDirectory } from './im-node.directory';

export class ImConfigView {
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
  ) {}

  @Post('getImConfig')
  @HttpCode(200)
  async getImConfig(@CurrentUser() user: RequestUser, @Body() _body: EmptyBodyDto): Promise<ApiResponse<ImConfigView>> {
    const [token, wsImServerAddress] = await Promise.all([this.auth.issueImToken(user.userId), this.nodes.wsAddressFor(user.userId)]);
    return ApiResponses.ok({ token, wsImServerAddress });
  }
}

import { ApiResponse, ApiResponses } from '@live/common';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import { PostOk } from '../common/post-ok.decorator';
import { ApiDoc } from '../docs/api-doc.decorator';
import { NamesView, NickNameView, ProfileView, SetNickNameDto, UserNamesDto } from './user.dto';
import { UserService } from './user.service';

/** The caller's profile and nickname, and other users' nicknames (for chat and boards). */
@ApiTags('user')
@Controller('user')
export class UserController {
  constructor(private readonly users: UserService) {}

  @ApiDoc({
    ok: NickNameView,
    summary: "Set the caller's nickname (shown with its chat messages within seconds)",
    example: { nickName: 'Lucky Star' },
  })
  @PostOk('setNickname')
  @RequestLimit({ limit: 20, seconds: 60, msg: 'the nickname can be changed 20 times a minute' })
  async setNickname(@CurrentUser() user: RequestUser, @Body() dto: SetNickNameDto): Promise<ApiResponse<NickNameView>> {
    return ApiResponses.ok({ nickName: await this.users.setNickName(user.userId, dto.nickName) });
  }

  @ApiDoc({ ok: ProfileView, summary: "The caller's user id and nickname", example: {} })
  @PostOk('profile')
  async profile(@CurrentUser() user: RequestUser, @Body() _body: EmptyBodyDto): Promise<ApiResponse<ProfileView>> {
    return ApiResponses.ok({ userId: user.userId, nickName: await this.users.nickName(user.userId) });
  }

  @ApiDoc({
    ok: NamesView,
    summary: 'The nicknames of up to 100 users (unknown ids are left out)',
    example: { userIds: [10001, 10002] },
  })
  @PostOk('names')
  @RequestLimit({ limit: 30, seconds: 10, msg: 'too many name look-ups, wait a moment' })
  async names(@Body() dto: UserNamesDto): Promise<ApiResponse<NamesView>> {
    return ApiResponses.ok({ names: await this.users.nickNames(dto.userIds) });
  }
}

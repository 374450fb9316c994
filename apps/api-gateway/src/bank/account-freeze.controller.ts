import { ApiResponse, ApiResponses, BaseErrorCode, BizException } from '@live/common';
import { AccountStatusResponse } from '@live/contracts';
import { Body, Controller, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminPost, CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { ApiDoc } from '../docs/api-doc.decorator';
import { UserService } from '../user/user.service';
import { AccountStatusView, FreezeAccountDto, UnfreezeAccountDto } from './account-freeze.dto';
import { BankOrders } from './bank-orders';

/**
 * Admins freeze and unfreeze a user's wallet (spending safeguards, issue 19): a frozen wallet sends no gift
 * and orders no recharge. bank-service records who did it and why (t_account_status_log).
 */
@ApiTags('bank')
@Controller('bank')
export class AccountFreezeController {
  private readonly logger = new Logger(AccountFreezeController.name);

  constructor(
    private readonly orders: BankOrders,
    private readonly users: UserService,
  ) {}

  @ApiDoc({
    ok: AccountStatusView,
    summary: "Freeze a user's wallet (admins): no gift, no recharge until unfrozen",
    example: { userId: 7, reason: 'card reported stolen' },
    errors: [BaseErrorCode.NOT_FOUND],
  })
  @AdminPost('admin/freeze')
  async freeze(
    @CurrentUser() admin: RequestUser,
    @Body() dto: FreezeAccountDto,
  ): Promise<ApiResponse<AccountStatusResponse>> {
    await this.assertUser(dto.userId);
    this.logger.warn(`admin ${admin.userId} freezes the wallet of user ${dto.userId}: ${dto.reason}`);
    return ApiResponses.ok(
      await this.orders.freezeAccount({ userId: dto.userId, adminId: admin.userId, reason: dto.reason }),
    );
  }

  @ApiDoc({
    ok: AccountStatusView,
    summary: "Unfreeze a user's wallet (admins)",
    example: { userId: 7 },
    errors: [BaseErrorCode.NOT_FOUND],
  })
  @AdminPost('admin/unfreeze')
  async unfreeze(
    @CurrentUser() admin: RequestUser,
    @Body() dto: UnfreezeAccountDto,
  ): Promise<ApiResponse<AccountStatusResponse>> {
    await this.assertUser(dto.userId);
    const reason = dto.reason ?? 'unfrozen';
    this.logger.warn(`admin ${admin.userId} unfreezes the wallet of user ${dto.userId}: ${reason}`);
    return ApiResponses.ok(await this.orders.unfreezeAccount({ userId: dto.userId, adminId: admin.userId, reason }));
  }

  /** Only a user who exists (t_user): a freeze of a typo would open and freeze a wallet nobody has. */
  private async assertUser(userId: number): Promise<void> {
    if (!(await this.users.findById(userId)))
      throw new BizException(BaseErrorCode.NOT_FOUND, `user ${userId} not found`);
  }
}

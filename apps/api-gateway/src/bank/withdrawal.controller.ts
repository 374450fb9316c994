import {
  ApiResponse,
  ApiResponses,
  BankClient,
  BankErrorCode,
  BaseErrorCode,
  BizException,
  GatewayErrorCode,
} from '@live/common';
import { WITHDRAWAL_PAGE_DEFAULT_LIMIT, WithdrawalDto, WithdrawalPage } from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminPost, CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { IdempotencyKeyHeader, idempotencyKeyOf } from '../common/idempotency-key';
import { PostOk } from '../common/post-ok.decorator';
import { ApiDoc } from '../docs/api-doc.decorator';
import {
  RejectWithdrawalDto,
  WithdrawalIdDto,
  WithdrawalPageView,
  WithdrawalsDto,
  WithdrawalView,
  WithdrawDto,
} from './withdrawal.dto';
import { BankOrders } from './bank-orders';

/**
 * Withdrawals of the caller's gift earnings, and the admins' review of them (approve, reject, mark
 * paid). bank-service holds the rules and the money; the user id comes from the token.
 */
@ApiTags('bank')
@Controller('bank')
export class WithdrawalController {
  constructor(
    private readonly bank: BankClient,
    private readonly orders: BankOrders,
  ) {}

  @ApiDoc({
    ok: WithdrawalView,
    summary:
      'Withdraw gift earnings: the amount leaves earnings at once (an order, requested); the same Idempotency-Key and amount answer the same order',
    example: { amount: 1000 },
    errors: [
      BankErrorCode.WITHDRAW_BELOW_MINIMUM,
      BankErrorCode.WITHDRAW_OVER_WITHDRAWABLE,
      BankErrorCode.ACCOUNT_FROZEN,
      BankErrorCode.ACCOUNT_NOT_FOUND,
      GatewayErrorCode.IDEMPOTENCY_KEY_REUSED,
    ],
  })
  @PostOk('withdraw')
  @IdempotencyKeyHeader(
    'Idempotency-Key (required): names the order; the same key with another amount is refused (409)',
    true,
  )
  @RequestLimit({ limit: 10, seconds: 10, msg: 'too many withdrawals, wait a moment' })
  async withdraw(
    @CurrentUser() user: RequestUser,
    @Body() dto: WithdrawDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ApiResponse<WithdrawalDto>> {
    const requestId = idempotencyKeyOf(idempotencyKey);
    if (requestId === undefined)
      throw new BizException(BaseErrorCode.PARAM_ERROR, 'the Idempotency-Key header is required for a withdrawal');
    return ApiResponses.ok(await this.orders.createWithdrawal({ userId: user.userId, requestId, amount: dto.amount }));
  }

  @ApiDoc({
    ok: WithdrawalPageView,
    summary: "The caller's withdrawal orders, newest first (keyset paged: pass nextCursor back as cursor)",
    example: { limit: 20 },
  })
  @PostOk('withdrawals')
  @RequestLimit({ limit: 30, seconds: 10, msg: 'too many requests, wait a moment' })
  async withdrawals(
    @CurrentUser() user: RequestUser,
    @Body() dto: WithdrawalsDto,
  ): Promise<ApiResponse<WithdrawalPage>> {
    const limit = dto.limit ?? WITHDRAWAL_PAGE_DEFAULT_LIMIT;
    return ApiResponses.ok(
      await this.bank.withdrawals(
        dto.cursor === undefined ? { userId: user.userId, limit } : { userId: user.userId, cursor: dto.cursor, limit },
      ),
    );
  }

  @ApiDoc({
    ok: WithdrawalView,
    summary:
      'Approve a requested withdrawal (admins); again on an approved one: the order; refused while the account is frozen',
    example: { withdrawalId: 1 },
    errors: [BankErrorCode.ACCOUNT_FROZEN, BankErrorCode.WITHDRAWAL_NOT_FOUND, BankErrorCode.WITHDRAWAL_STATUS_INVALID],
  })
  @AdminPost('admin/withdrawal/approve')
  async approve(@CurrentUser() admin: RequestUser, @Body() dto: WithdrawalIdDto): Promise<ApiResponse<WithdrawalDto>> {
    return ApiResponses.ok(
      await this.orders.approveWithdrawal({ withdrawalId: dto.withdrawalId, adminId: admin.userId }),
    );
  }

  @ApiDoc({
    ok: WithdrawalView,
    summary: 'Reject a requested or approved withdrawal (admins): the amount goes back to earnings, once',
    example: { withdrawalId: 1, reason: 'the payout account could not be verified' },
    errors: [BankErrorCode.WITHDRAWAL_NOT_FOUND, BankErrorCode.WITHDRAWAL_STATUS_INVALID],
  })
  @AdminPost('admin/withdrawal/reject')
  async reject(
    @CurrentUser() admin: RequestUser,
    @Body() dto: RejectWithdrawalDto,
  ): Promise<ApiResponse<WithdrawalDto>> {
    return ApiResponses.ok(
      await this.orders.rejectWithdrawal({ withdrawalId: dto.withdrawalId, adminId: admin.userId, reason: dto.reason }),
    );
  }

  @ApiDoc({
    ok: WithdrawalView,
    summary:
      'Mark an approved withdrawal paid out (admins); again on a paid one: the order; refused while the account is frozen',
    example: { withdrawalId: 1 },
    errors: [BankErrorCode.ACCOUNT_FROZEN, BankErrorCode.WITHDRAWAL_NOT_FOUND, BankErrorCode.WITHDRAWAL_STATUS_INVALID],
  })
  @AdminPost('admin/withdrawal/markPaid')
  async markPaid(@CurrentUser() admin: RequestUser, @Body() dto: WithdrawalIdDto): Promise<ApiResponse<WithdrawalDto>> {
    return ApiResponses.ok(
      await this.orders.markWithdrawalPaid({ withdrawalId: dto.withdrawalId, adminId: admin.userId }),
    );
  }
}

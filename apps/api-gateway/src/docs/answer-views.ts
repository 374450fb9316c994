import {
  BalanceResponse,
  ContributionBoardResponse,
  ContributionEntryDto,
  CreatePayOrderResponse,
  GiftConfigDto,
  GiftHistoryItemDto,
  GiftHistoryPage,
  GiftStatus,
  PayNotifyResponse,
  RefundOrderResponse,
  PayProductDto,
  TradeDto,
  TradePage,
} from '@live/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { RoomView } from '../living/living.dto';

/*
 * The `data` of the answers whose type is a contract class (bank-service's, gift-service's), as the OpenAPI
 * document describes it. Each view `implements` its contract: a field the contract gains or changes and the
 * view lacks fails to compile.
 */

export class RoomIdView {
  @ApiProperty() roomId!: number;
}

export class RoomPageView {
  @ApiProperty({ type: [RoomView] }) list!: RoomView[];
  @ApiProperty() hasNext!: boolean;
}

export class BoardEntryView implements ContributionEntryDto {
  @ApiProperty({ description: '1 = top' }) rank!: number;
  @ApiProperty() userId!: number;
  @ApiProperty({ description: 'coins the user spent on gifts in this room' }) score!: number;
}

export class BoardView implements ContributionBoardResponse {
  @ApiProperty({ type: [BoardEntryView] }) entries!: BoardEntryView[];
}

export class GiftConfigView implements GiftConfigDto {
  @ApiProperty() giftId!: number;
  @ApiProperty() giftName!: string;
  @ApiProperty({ description: 'coins' }) price!: number;
  @ApiProperty({ enum: [GiftStatus.DISABLED, GiftStatus.ENABLED], description: '0 disabled, 1 on sale' })
  status!: GiftStatus;
  @ApiProperty() coverImgUrl!: string;
  @ApiProperty() svgaUrl!: string;
  @ApiProperty({ description: 'panel order, ascending' }) sortOrder!: number;
}

export class ProductView implements PayProductDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'price in cents' }) price!: number;
  @ApiProperty({ description: 'coins credited when paid' }) coinNum!: number;
  @ApiProperty() type!: number;
}

export class ProductsView {
  @ApiProperty({ type: [ProductView] }) products!: ProductView[];
  @ApiProperty({ description: "the caller's coins" }) currentBalance!: number;
}

export class PayOrderView implements CreatePayOrderResponse {
  @ApiProperty() orderId!: string;
}

export class PayNotifyView implements PayNotifyResponse {
  @ApiProperty() orderId!: string;
  @ApiProperty({ enum: ['paid'] }) status!: 'paid';
  @ApiProperty({ description: 'false when this callback repeated one already applied' }) credited!: boolean;
  @ApiProperty() coinNum!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'after the credit; null when nothing was credited now' })
  balance!: number | null;
}

export class RefundOrderView implements RefundOrderResponse {
  @ApiProperty() orderId!: string;
  @ApiProperty({ enum: ['refunded'] }) status!: 'refunded';
  @ApiProperty({ description: "the order's user, whose wallet gave the coins back" }) userId!: number;
  @ApiProperty() coinNum!: number;
  @ApiProperty({ description: 'false when the order had been refunded before: nothing moved now' })
  refunded!: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'the wallet after the clawback; null when nothing moved now',
  })
  balance!: number | null;
}

export class BalanceView implements BalanceResponse {
  @ApiProperty({ description: 'coins; 0 for a user without a wallet' }) balance!: number;
}

export class TradeView implements TradeDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: "a gift is one request id with two rows: the sender's debit, the receiver's credit" })
  requestId!: string;
  @ApiProperty({
    enum: ['debit', 'credit'],
    description:
      "debit: coins out of the caller's wallet (or a refused gift; a withdrawal's: out of earnings); credit: coins in (a gift's, a rejected withdrawal's: to earnings)",
  })
  direction!: 'debit' | 'credit';
  @ApiProperty({ description: 'signed: coins in, coins out (negative), 0 for a recorded rejection' }) num!: number;
  @ApiProperty({
    description:
      "the wallet's balance after the row; on a gift's credit and a withdrawal's rows, the earnings after it",
  })
  balanceAfter!: number;
  @ApiProperty({
    description:
      '1 recharge, 2 gift, 3 manual credit, 4 manual debit, 5 withdrawal (out of earnings), 6 withdrawal rejected (back to earnings)',
  })
  type!: number;
  @ApiProperty({ description: '1 done, 0 refused' }) status!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'the counterparty user id of a gift: the receiver on a debit, the sender on a credit; null otherwise',
  })
  counterpartyId!: number | null;
  @ApiProperty({ type: String, nullable: true }) remark!: string | null;
  @ApiProperty({ description: 'epoch ms' }) createTime!: number;
}

export class TradePageView implements TradePage {
  @ApiProperty({ type: [TradeView] }) list!: TradeView[];
  @ApiProperty() hasNext!: boolean;
}

export class GiftHistoryItemView implements GiftHistoryItemDto {
  @ApiProperty({ description: 'the id /gift/send answered (`<senderId>:<key>`)' }) requestId!: string;
  @ApiProperty() giftId!: number;
  @ApiProperty() giftName!: string;
  @ApiProperty({ description: 'coins per gift, as charged (the send cost price x count)' }) price!: number;
  @ApiProperty({ minimum: 1, maximum: 999, description: 'how many of the gift the send carried' }) count!: number;
  @ApiProperty({
    description:
      "the combo shown with it (5556): the sender's streak of sends of this gift in a row (a send of any count is one), this one included",
  })
  combo!: number;
  @ApiProperty() senderId!: number;
  @ApiProperty() receiverId!: number;
  @ApiProperty() roomId!: number;
  @ApiProperty({ description: 'when the gateway accepted the gift, epoch ms' }) sendTime!: number;
}

export class GiftHistoryPageView implements GiftHistoryPage {
  @ApiProperty({ type: [GiftHistoryItemView], description: 'newest first' }) list!: GiftHistoryItemView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the cursor of the next (older) page; null: this is the last page',
  })
  nextCursor!: string | null;
}

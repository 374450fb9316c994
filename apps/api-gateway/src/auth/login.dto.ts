import { ApiProperty } from '@nestjs/swagger';
import { MatchingField } from '../common/page.dto';

const PHONE_PATTERN = /^\+?\d{6,15}$/;

export class SendLoginCodeDto {
  @MatchingField(PHONE_PATTERN, 'phone must be 6-15 digits with an optional leading +', {
    example: '13800000001',
    description: '6-15 digits, optional leading +',
  })
  phone!: string;
}

export class LoginDto extends SendLoginCodeDto {
  @MatchingField(/^\d{6}$/, 'code must be 6 digits', { example: '123456' })
  code!: string;
}

export class DevCodeView {
  @ApiProperty({ required: false, description: 'development mode only' })
  devCode?: string;
}

export class LoginView {
  @ApiProperty()
  userId!: number;

  @ApiProperty()
  token!: string;
}

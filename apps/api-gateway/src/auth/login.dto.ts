import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export const PHONE_PATTERN = /^\+?\d{6,15}$/;

export class SendLoginCodeDto {
  @ApiProperty({ example: '13800000001', description: '6-15 digits, optional leading +' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be 6-15 digits with an optional leading +' })
  phone!: string;
}

export class LoginDto extends SendLoginCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
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

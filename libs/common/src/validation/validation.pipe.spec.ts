import 'reflect-metadata';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SendGiftMq, SendGiftType, slowValidatePayload } from '@live/contracts';
import { BaseErrorCode } from '../errors';
import { createValidationPipe } from './validation.pipe';

class AllOptionalDto {
  @IsOptional()
  @IsInt()
  limit?: number;
}

/** Two rules that say the same of a wrong type (a text field's own rule beside IsString). */
class TwoRulesDto {
  @IsString({ message: 'name must be a string' })
  @Matches(/^[a-z]+$/, { message: 'name must be a string' })
  name!: string;
}

/** A field with a type rule and range rules. */
class RangeDto {
  @IsInt()
  @Min(0)
  @Max(1000)
  type!: number;

  @IsOptional()
  @IsString()
  @MaxLength(3)
  note?: string;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const asBody = (value: unknown) => pipe.transform(value, { type: 'body', metatype: AllOptionalDto });

  it('takes an object of known fields, and a missing body as an empty one', async () => {
    await expect(asBody({ limit: 5 })).resolves.toEqual({ limit: 5 });
    await expect(asBody(undefined)).resolves.toEqual({});
  });

  it.each([[[]], [[{ limit: 5 }]], ['a string'], [12], [true]])(
    'refuses %p for a DTO whose fields are all optional (its checks would not run on it)',
    async (value) => {
      await expect(asBody(value)).rejects.toMatchObject({ code: BaseErrorCode.PARAM_ERROR.code });
    },
  );

  it('says each problem once (two rules saying the same read "roomName must be a string; roomName must be a string")', async () => {
    await expect(pipe.transform({ name: 42 }, { type: 'body', metatype: TwoRulesDto })).rejects.toMatchObject({
      message: 'name must be a string',
    });
  });

  it('names a missing field as required, a wrong type by its type rule only, a value out of range by each rule it fails', async () => {
    const asRange = (value: unknown) => pipe.transform(value, { type: 'body', metatype: RangeDto });
    // Before: "type must not be greater than 1000; type must not be less than 0; type must be an integer number".
    await expect(asRange({})).rejects.toMatchObject({ message: 'type is required' });
    await expect(asRange({ type: '100' })).rejects.toMatchObject({ message: 'type must be an integer number' });
    await expect(asRange({ type: null })).rejects.toMatchObject({ message: 'type must be an integer number' });
    await expect(asRange({ type: 1001 })).rejects.toMatchObject({ message: 'type must not be greater than 1000' });
    await expect(asRange({ type: 5, note: 7 })).rejects.toMatchObject({ message: 'note must be a string' });
    await expect(asRange({ type: 5, note: 'long' })).rejects.toMatchObject({
      message: 'note must be shorter than or equal to 3 characters',
    });
    await expect(asRange({ type: 5, extra: 1 })).rejects.toMatchObject({
      message: 'extra: property extra should not exist',
    });
  });

  it('refuses before class-transformer an object of more than 256 fields, nesting deeper than 32 levels or more than 100,000 values (an RPC payload, bounded by its 4 MB frame only)', async () => {
    const asRange = (value: unknown) => pipe.transform(value, { type: 'body', metatype: RangeDto });
    const wide = { type: 5, ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`f${i}`, i])) };
    await expect(asRange(wide)).rejects.toMatchObject({
      code: BaseErrorCode.PARAM_ERROR.code,
      message: 'the payload has an object of more than 256 fields',
    });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    await expect(asRange({ type: 5, note: deep })).rejects.toMatchObject({
      message: 'the payload is nested deeper than 32 levels',
    });
    // 256 fields in one object are class-validator's to name; many objects of few fields are not refused here.
    const at256 = { type: 5, ...Object.fromEntries(Array.from({ length: 255 }, (_, i) => [`f${i}`, i])) };
    await expect(asRange(at256)).rejects.toMatchObject({ message: expect.stringMatching(/^f0: property f0/) });
    const many = { type: 5, note: Array.from({ length: 2_000 }, () => ({ a: 1, b: 2 })) };
    await expect(asRange(many)).rejects.toMatchObject({ message: 'note must be a string' });
    // But not more than 100,000 values in all (1,300,000 empty objects took the pipe 4.4 s).
    const tooMany = { type: 5, note: Array.from({ length: 100_000 }, () => ({})) };
    await expect(asRange(tooMany)).rejects.toMatchObject({ message: 'the payload has more than 100000 values' });
  });

  it('leaves parameters that are not DTO classes alone', async () => {
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });

  describe('a contract DTO (the compiled fast path, class-validator for the rest)', () => {
    const mq = {
      userId: 1,
      giftId: 2,
      giftName: 'Rose',
      price: 5,
      receiverId: 3,
      roomId: 4,
      url: '',
      requestId: 'r-1',
      type: SendGiftType.PK,
      sendTime: 0,
    };
    const asMq = (value: unknown) => pipe.transform(value, { type: 'body', metatype: SendGiftMq });

    it('gives the instance class-validator gives', async () => {
      const slow = slowValidatePayload(SendGiftMq, mq);
      const value = await asMq({ ...mq });
      expect(slow).toStrictEqual({ ok: true, value });
      expect(value).toBeInstanceOf(SendGiftMq);
    });

    it('still refuses an unknown field, a wrong type and an out-of-range number, naming each', async () => {
      await expect(asMq({ ...mq, extra: 1 })).rejects.toMatchObject({ message: expect.stringContaining('extra') });
      await expect(asMq({ ...mq, userId: '1' })).rejects.toMatchObject({ message: expect.stringContaining('userId') });
      await expect(asMq({ ...mq, price: 0 })).rejects.toMatchObject({ code: BaseErrorCode.PARAM_ERROR.code });
    });
  });
});

import 'reflect-metadata';
import { IsInt, IsOptional } from 'class-validator';
import { BaseErrorCode } from '../errors';
import { createValidationPipe } from './validation.pipe';

class AllOptionalDto {
  @IsOptional()
  @IsInt()
  limit?: number;
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

  it('leaves parameters that are not DTO classes alone', async () => {
    await expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('abc');
  });
});

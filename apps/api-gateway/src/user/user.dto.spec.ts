import { slowValidatePayload } from '@live/contracts';
import { SetNickNameDto } from './user.dto';

/** The nickname's own check (the DTO, before reservedNickName): the rule of chat texts, trimmed first. */
describe('SetNickNameDto', () => {
  const set = (nickName: unknown) => slowValidatePayload(SetNickNameDto, { nickName });

  it.each([
    'Lucky Star',
    '  星星 ⭐ Star  ',
    'dev 👩‍💻',
    '안녕하세요',
    'مرحبا',
    'José',
    'e\u0301\u0323',
    '🎉'.repeat(20),
  ])('takes %j', (nickName) => {
    expect(set(nickName)).toEqual({ ok: true, value: { nickName: nickName.trim() } });
  });

  it.each([
    ['user10006\u3164', 'nickName must not contain control or invisible characters'],
    ['\u3164user10006', 'nickName must not contain control or invisible characters'],
    ['user10006\u115F', 'nickName must not contain control or invisible characters'],
    ['user10006\uFFA0', 'nickName must not contain control or invisible characters'],
    ['adm\u3164in', 'nickName must not contain control or invisible characters'],
    ['ad\u17B4min', 'nickName must not contain control or invisible characters'],
    ['\u3164\u3164', 'nickName must not be blank'],
    ['\u2800', 'nickName must not be blank'],
    ['a\ud800b', 'nickName must not contain a lone surrogate'],
    ['\uFFFF\uFFFE', 'nickName must not contain a noncharacter'],
    ['\uE000\uF8FF', 'nickName must not contain private-use characters'],
    ['a' + '\u0336'.repeat(19), 'nickName must not stack more than 4 combining marks'],
    ['x'.repeat(21), 'nickName must be 1-20 characters after trimming (it has 21)'],
    ['   ', 'nickName must be 1-20 characters after trimming (it has 0)'],
  ])('refuses %j, naming the problem', (nickName, problem) => {
    const result = slowValidatePayload(SetNickNameDto, { nickName });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(problem);
  });
});

import { slowValidatePayload } from '@live/contracts';
import { StartLivingDto } from './living.dto';

/**
 * A room's title is shown to everyone in the lobby and the room: the rule of texts shown to a room (as nicknames
 * and chat), and no staff word (as nicknames), trimmed first.
 */
describe('StartLivingDto roomName', () => {
  const start = (roomName: unknown) => slowValidatePayload(StartLivingDto, { type: 0, roomName });

  it.each([
    'my room',
    '  星星的直播间 ⭐  ',
    'Karaoke night 🎤🎶',
    'dev 👩‍💻 live',
    'Café à Paris, crème brûlée',
    '안녕하세요 여러분',
    'مرحبا بكم',
    '<b>not html</b>',
    '🎉'.repeat(128),
    'Badminton night',
    'Unofficial fan stream',
    'Ecosystem talk',
    'Systematic reviews',
    'Officially the best',
    'A fan of staffordshire',
    'iPhone tips',
    'I love badminton 2',
    'Distributed Systems talk',
    'Game officials',
  ])('takes %j', (roomName) => {
    expect(start(roomName)).toEqual({ ok: true, value: { type: 0, roomName: roomName.trim() } });
  });

  it('takes no roomName (the default name)', () => {
    expect(slowValidatePayload(StartLivingDto, { type: 0 })).toEqual({ ok: true, value: { type: 0 } });
  });

  it.each([
    ['\u202eOfficial ADMIN room\u0000\u0007\n<img>\ud800', 'roomName must not contain a lone surrogate'],
    ['\u202eOfficial ADMIN room\u0000\u0007\n<img>', 'roomName must not contain control or invisible characters'],
    ['rtl\u202Eevil', 'roomName must not contain control or invisible characters'],
    ['nul\u0000bel\u0007', 'roomName must not contain control or invisible characters'],
    ['new\nline in the middle', 'roomName must not contain control or invisible characters'],
    ['zero\u200Bwidth', 'roomName must not contain control or invisible characters'],
    ['\u3164\u3164', 'roomName must not be blank'],
    ['\uFFFF', 'roomName must not contain a noncharacter'],
    ['\uF8FF badge', 'roomName must not contain private-use characters'],
    ['a' + '\u0336'.repeat(19), 'roomName must not stack more than 4 combining marks'],
    ['Official ADMIN room', 'roomName "Official ADMIN room" contains "admin", kept for the platform\'s staff'],
    ['Оffісіаl room', "kept for the platform's staff"],
    ['S.y.s.t.e.m notice', "kept for the platform's staff"],
    ['Staff-picks: admin/mod', "kept for the platform's staff"],
    ['ＡＤＭＩＮ', "kept for the platform's staff"],
    ['OfficialStream', "kept for the platform's staff"],
    ['AdminRoom', "kept for the platform's staff"],
    ['Official2', "kept for the platform's staff"],
    ['Admins hangout', "kept for the platform's staff"],
    ['Moderators', "kept for the platform's staff"],
    ['Off-icial', "kept for the platform's staff"],
    ['o f f i c i a l', "kept for the platform's staff"],
    ['Staff\u00b7room', "kept for the platform's staff"],
    ['Admin\u2024room', "kept for the platform's staff"],
    ['\u24b6\u24b9\u24c2\u24be\u24c3', "kept for the platform's staff"], // ⒶⒹⓂⒾⓃ
    ['\u{1f170}dmin room', "kept for the platform's staff"], // 🅰dmin
    ['ADMINRoom', "kept for the platform's staff"],
    ['OFFICIALstream', "kept for the platform's staff"],
    ['Off-ic-ial', "kept for the platform's staff"],
    ['x o f f i c i a l', "kept for the platform's staff"],
    ['x'.repeat(129), 'roomName must be 1-128 characters after trimming (it has 129)'],
    ['   ', 'roomName must be 1-128 characters after trimming (it has 0)'],
    [42, 'roomName must be a string'],
  ])('refuses %j, naming the problem', (roomName, problem) => {
    const result = slowValidatePayload(StartLivingDto, { type: 0, roomName });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(problem);
    expect(!result.ok && result.error.split(problem)).toHaveLength(2); // said once
  });
});

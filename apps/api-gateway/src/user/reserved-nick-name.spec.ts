import { reservedNickName } from './user.service';

describe('reservedNickName: names that would pass for another user or for staff', () => {
  it("refuses another user's default name, in any dress", () => {
    for (const nick of ['user10002', 'User 10002', 'ｕｓｅｒ１０００２', 'user.10002']) {
      expect(reservedNickName(10001, nick)).toMatch(/another user's default name/);
    }
  });

  it.each(['user10006\u3164', '\u3164user10006', 'user10006\u115F', 'user10006\uFFA0', 'user10006\u2800', 'uѕеr10006'])(
    "sees through letters drawn as nothing and look-alikes: %j is another user's default name",
    (nick) => {
      expect(reservedNickName(10001, nick)).toMatch(/another user's default name/);
    },
  );

  it('lets a user take back its own default name', () => {
    expect(reservedNickName(10001, 'user10001')).toBeNull();
  });

  it('refuses staff words, folded', () => {
    for (const nick of ['admin', 'Ad.min', 'ＡＤＭＩＮ', 'the Official one', 'Moderator', 'system']) {
      expect(reservedNickName(10001, nick)).toMatch(/kept for the platform's staff/);
    }
  });

  it.each(['adm\u3164in', 'Аdmin', 'sуstem', 'ΑDΜΙΝ', 'Оffісіаl', 'ädmin', 'ѕtaff', '𝐚𝐝𝐦𝐢𝐧', 'ᴀᴅᴍɪɴ', '🅰dmin'])(
    'refuses %j: a staff word spelled with fillers, accents, Cyrillic and Greek look-alikes, small capitals or enclosed letters',
    (nick) => {
      expect(reservedNickName(10001, nick)).toMatch(/kept for the platform's staff/);
    },
  );

  it('lets ordinary names through', () => {
    for (const nick of [
      'Lucky Star',
      '星星 ⭐ Star',
      'user',
      'users 1',
      'dev 👩‍💻',
      '안녕하세요',
      'Привет',
      'José',
      'Αθηνά',
    ]) {
      expect(reservedNickName(10001, nick)).toBeNull();
    }
  });
});

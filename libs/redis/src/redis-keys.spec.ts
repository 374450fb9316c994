import { tokenDigest } from '@live/contracts';
import { clusterSlot } from './multi-key';
import { BankRedisKeys, GatewayRedisKeys, GiftRedisKeys, ImRedisKeys } from './redis-keys';

describe('redis key builders', () => {
  const gw = new GatewayRedisKeys('lg');
  const gift = new GiftRedisKeys('lg');
  const bank = new BankRedisKeys('lg');
  const im = new ImRedisKeys('lg');

  it('builds the exact keys, prefixed per app', () => {
    expect(gw.loginCode('13800000000')).toBe('lg:gw:{phone:13800000000}:login-code');
    expect(gw.userToken('abc')).toBe(`lg:gw:{token:${tokenDigest('abc')}}:user`);
    expect(gw.userSession('abc')).toBe('lg:gw:{token:abc}:user');
    expect(gw.rateLimit(7, 'LivingController.start')).toBe('lg:gw:{rl:7}:LivingController.start');
    expect(gift.giftConfig(3)).toBe('lg:gift:{gift:3}:config');
    expect(gift.giftList()).toBe('lg:gift:{gift-list}:panel');
    expect(gift.roomContributionBoard(42)).toBe('lg:gift:{room:42}:board');
    expect(gift.comboState(42, 7)).toBe('lg:gift:{room:42}:combo:7');
    expect(gift.giftOutcome('req-1:a.b')).toBe('lg:gift:{gift-req:req-1:a.b}:outcome');
    expect(gift.roomGiftApplied(42, 'req-1:a.b')).toBe('lg:gift:{room:42}:applied:req-1:a.b');
    expect(gw.idempotencyKey(7, 'tap-1.x')).toBe('lg:gw:{user:7}:idem:tap-1.x');
    expect(bank.balance(7)).toBe('lg:bank:{user:7}:balance');
    expect(bank.payProducts(0)).toBe('lg:bank:{products}:type:0');
    expect(im.userNode(7)).toBe('lg:im:{user:7}:node');
    expect(im.roomNodes(42)).toBe('lg:im:{room:42}:nodes');
    expect(im.nodeRegistry()).toBe('lg:im:{nodes}:registry');
    expect(gw.imToken('tok-1')).toBe(`lg:gw:{im-token:${tokenDigest('tok-1')}}:user`);
    expect(new BankRedisKeys('test_1').balance(1)).toBe('test_1:bank:{user:1}:balance');
    expect(gw.userNick(7)).toBe('lg:gw:{user:7}:nick');
    expect(gw.chatMute(42, 7)).toBe('lg:gw:{room:42}:chat-mute:7');
    expect(im.chatHistory(42)).toBe('lg:im:{room:42}:chat-history');
    expect(im.chatRate(7)).toBe('lg:im:{user:7}:chat-rate');
  });

  it('puts keys one script touches together in one Cluster slot', () => {
    expect(clusterSlot(bank.balance(7))).toBe(clusterSlot(bank.noAccountMarker(7)));
    expect(clusterSlot(gift.giftConfig(3))).toBe(clusterSlot(gift.giftConfigLock(3)));
    expect(clusterSlot(gift.giftList())).toBe(clusterSlot(gift.giftListLock()));
    const applied = clusterSlot(gift.roomGiftApplied(42, 'r1'));
    expect([clusterSlot(gift.comboState(42, 7)), clusterSlot(gift.roomContributionBoard(42))]).toEqual([
      applied,
      applied,
    ]);
    expect(clusterSlot(bank.balance(7))).not.toBe(clusterSlot(bank.balance(8)));
    const phone = '13800000000';
    const login = [gw.loginCode(phone), gw.loginGuesses(phone, '10.0.0.1'), gw.loginGuessesAll(phone)];
    expect(new Set([...login, gw.loginKnownAddresses(phone)].map(clusterSlot)).size).toBe(1);
  });

  it('computes the slot Redis documents', () => {
    expect(clusterSlot('123456789')).toBe(0x31c3 % 16384);
    expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('{user1000}.followers'));
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1])('rejects the id %p', (bad) => {
    expect(() => bank.balance(bad)).toThrow(/positive integer/);
  });

  it.each(['', 'a b', 'x{y}', 'tab\t'])('rejects the string id %p', (bad) => {
    expect(() => gw.userToken(bad)).toThrow(/non-empty string/);
  });
});

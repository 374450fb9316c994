import { ConsumedMessage } from '@live/kafka';
import { SendGiftMq } from '@live/contracts';
import { PARKED_KEY_MAX, PARKED_REASON_MAX, PARKED_VALUE_MAX, parkedRecordOf } from './send-gift.batch';

/** The parked record keeps short, well-formed cuts of what an untrusted producer wrote. */
describe('parkedRecordOf', () => {
  const undecodable = (rawValue: string, key: string | null): ConsumedMessage<SendGiftMq> => ({
    topic: 'send_gift',
    partition: 3,
    offset: '42',
    key,
    timestamp: '0',
    headers: {},
    decodeError: 'not JSON',
    rawValue,
  });
  const roundTrips = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

  it('cuts the reason and the value at their bounds without splitting a surrogate pair', () => {
    const reason = `${'r'.repeat(PARKED_REASON_MAX - 1)}😀 and more`;
    const raw = `${'v'.repeat(PARKED_VALUE_MAX - 1)}😀 and more`;
    const { value } = parkedRecordOf({ message: undecodable(raw, 'user-1'), reason });
    expect(value.reason).toBe('r'.repeat(PARKED_REASON_MAX - 1));
    expect(value.rawValue).toBe('v'.repeat(PARKED_VALUE_MAX - 1));
    expect(roundTrips(value.reason) && roundTrips(value.rawValue!)).toBe(true);
    expect(value).toMatchObject({ originTopic: 'send_gift', originPartition: 3, originOffset: '42' });
  });

  it('keeps a key up to its bound and none past it', () => {
    expect(parkedRecordOf({ message: undecodable('x', 'k'.repeat(PARKED_KEY_MAX)), reason: 'r' }).key).toBe(
      'k'.repeat(PARKED_KEY_MAX),
    );
    expect(parkedRecordOf({ message: undecodable('x', 'k'.repeat(PARKED_KEY_MAX + 1)), reason: 'r' }).key).toBeNull();
  });
});

import { configShortfall } from './kafka-topics.util';

describe("an existing topic's config against the spec's: warned about only when less safe", () => {
  it.each([
    // [config, actual, wanted, warned]
    ['min.insync.replicas', '1', '2', true],
    ['min.insync.replicas', '3', '2', false],
    ['retention.ms', '3600000', '604800000', true], // shorter: messages may go before they are consumed
    ['retention.ms', '1209600000', '604800000', false], // an operator kept them longer
    ['retention.ms', '-1', '604800000', false], // kept for good
    ['retention.bytes', '1073741824', '-1', true], // a size bound on send_gift drops unconsumed gifts
    ['retention.bytes', '-1', '-1', false],
    ['retention.bytes', '-1', '1073741824', true], // the parked topic without its bound
    ['retention.bytes', '2147483648', '1073741824', true],
    ['retention.bytes', '536870912', '1073741824', false],
    ['segment.bytes', '1073741824', '67108864', true],
    ['segment.ms', '604800000', '86400000', true],
    ['segment.ms', '3600000', '86400000', false],
    ['cleanup.policy', 'compact', 'delete', true],
    ['cleanup.policy', 'delete', 'delete', false],
  ])('%s %s where %s is wanted: warned %s', (name, actual, wanted, warned) => {
    expect(configShortfall(name, actual, wanted) !== undefined).toBe(warned);
  });
});

import { DependencyNotReadyError, validateEnv } from '@live/common';
import { DatabaseEnv, waitForDatabase } from '@live/database';
import { createKafkaClient, ensureTopics } from '@live/kafka';
import { createTestKafka, uniqueName } from '@live/testing';
import { logLevel } from 'kafkajs';
import { TcpProxy } from '../bench/support/tcp-proxy';
import { portBlock } from './support/test-stack';

/**
 * Start-up waits for what it needs: a server that comes up a moment after the app is waited for (with
 * backoff, up to a deadline), never a reason to exit. The servers "come up late" behind a TCP proxy that
 * starts listening only after a while.
 */
describe('start-up waits for dependencies that come up late', () => {
  const kafka = createTestKafka({ clientId: 'startup-it' });
  const proxies: TcpProxy[] = [];
  const [kafkaPort, dbPort, deadPort] = portBlock(3);

  afterAll(async () => {
    for (const p of proxies) await p.down();
    await kafka.cleanup();
  });

  function lateProxy(port: number, target: { host: string; port: number }, afterMs: number): TcpProxy {
    const proxy = new TcpProxy(port, target);
    proxies.push(proxy);
    setTimeout(() => void proxy.up(), afterMs);
    return proxy;
  }

  it('creates topics on a broker that answers 1.5 s after start-up began, and returns only once every partition has a leader', async () => {
    const [host, port] = kafka.brokers[0].split(':');
    lateProxy(kafkaPort, { host, port: Number(port) }, 1_500);
    // The client bootstraps through the late proxy; no kafkajs retries of its own (waitFor does the waiting).
    const late = createKafkaClient({
      clientId: uniqueName('late'),
      brokers: [`127.0.0.1:${kafkaPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const topics = [kafka.uniqueTopic('late-a'), kafka.uniqueTopic('late-b')];
    const began = Date.now();
    const result = await ensureTopics(
      late,
      topics.map((topic) => ({ topic, numPartitions: 6 })),
      { deadlineMs: 30_000 },
    );
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
    expect(result.created.sort()).toEqual([...topics].sort());
    const admin = kafka.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      for (const t of metadata.topics) {
        expect(t.partitions).toHaveLength(6);
        expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('waits for a database that answers 1.5 s later', async () => {
    const env = validateEnv(DatabaseEnv);
    lateProxy(dbPort, { host: env.DB_HOST, port: env.DB_PORT }, 1_500);
    const began = Date.now();
    const flavor = await waitForDatabase({ ...env, DB_PORT: dbPort }, { deadlineMs: 30_000 });
    expect(['mysql', 'mariadb']).toContain(flavor);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
  });

  it('past the deadline, fails naming what it waited for', async () => {
    const never = createKafkaClient({
      clientId: uniqueName('never'),
      brokers: [`127.0.0.1:${deadPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const failing = ensureTopics(never, [{ topic: uniqueName('never'), numPartitions: 1 }], { deadlineMs: 2_000 });
    await expect(failing).rejects.toBeInstanceOf(DependencyNotReadyError);
    await expect(failing).rejects.toThrow(/^the Kafka broker \(admin connection\) not ready after \d+\.\d s: /);
    const env = validateEnv(DatabaseEnv);
    await expect(waitForDatabase({ ...env, DB_PORT: deadPort }, { deadlineMs: 2_000 })).rejects.toThrow(
      new RegExp(`^the database at ${env.DB_HOST}:${deadPort} not ready after`),
    );
  });

  it('a wrong database password fails at once: waiting cannot mend it', async () => {
    const env = validateEnv(DatabaseEnv);
    const pauses: number[] = []; // one per retry: "at once" is the first attempt's error, no pause before failing
    const sleep = (ms: number) => (pauses.push(ms), new Promise<void>((r) => setTimeout(r, ms)));
    await expect(
      waitForDatabase({ ...env, DB_USER: 'no_such_user_lg', DB_PASSWORD: 'wrong' }, { deadlineMs: 30_000, sleep }),
    ).rejects.toThrow(/Access denied/);
    expect(pauses).toEqual([]);
  });
});

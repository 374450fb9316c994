import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RedisModule } from './redis.module';

/**
 * A server speaking just enough RESP for a client's start-up: PING, INFO (ioredis' ready check and the
 * version check), QUIT; anything else an error. It reports `version` as its redis_version.
 */
function fakeRedis(version: string | null): Promise<Server> {
  const info = `# Server\r\n${version === null ? '' : `redis_version:${version}\r\n`}loading:0\r\n`;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const command of chunk.toString().split('*').slice(1)) {
        const name = command.split('\r\n')[2]?.toUpperCase();
        if (name === 'PING') socket.write('+PONG\r\n');
        else if (name === 'INFO') socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        else if (name === 'QUIT') socket.end('+OK\r\n');
        else socket.write(`-ERR unknown command '${name}'\r\n`);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('RedisModule start-up: the server version', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  async function startAgainst(version: string | null): Promise<void> {
    const server = await fakeRedis(version);
    Object.assign(process.env, {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String((server.address() as AddressInfo).port),
      REDIS_DB: '0',
    });
    delete process.env.REDIS_CLUSTER_NODES;
    const moduleRef = await Test.createTestingModule({ imports: [RedisModule.forRoot()] }).compile();
    try {
      await moduleRef.init();
    } finally {
      await moduleRef.close();
      server.close();
    }
  }

  it('refuses a Redis older than 7.0 at once, saying which and why', async () => {
    await expect(startAgainst('6.2.14')).rejects.toThrow(
      /Redis 127\.0\.0\.1:\d+ db 0: Redis 6\.2\.14 is too old: 7\.0 or later is needed/,
    );
  });

  it('starts against 7.0', async () => {
    await expect(startAgainst('7.0.15')).resolves.toBeUndefined();
  });

  it('starts against a server that hides its version, saying it was not checked', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await expect(startAgainst(null)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/^Redis 127\.0\.0\.1:\d+ db 0: Redis version not checked/),
      );
    } finally {
      warn.mockRestore();
    }
  });
});

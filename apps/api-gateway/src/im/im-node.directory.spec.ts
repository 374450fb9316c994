import { ImNodeRegistryReader } from '@live/contracts';
import { Logger } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';
import { ImNodeDirectory } from './im-node.directory';

describe('ImNodeDirectory: nodes the web page may not open are named once', () => {
  it("warns once per node whose origin is not in the page's CSP", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const now = Date.now();
    // The registry hash as im-core nodes write it, read by the real reader (its freshness rule included).
    const hash = {
      a: JSON.stringify({ wsUrl: 'ws://127.0.0.1:8090/ws', heartbeatAt: now }),
      b: JSON.stringify({ wsUrl: 'ws://10.0.0.7:8090/ws', heartbeatAt: now }),
    };
    const registry = new ImNodeRegistryReader({ hgetall: async () => hash }, 'lg');
    const env = Object.assign(new GatewayEnv(), { GATEWAY_WEB_WS_ORIGINS: '' });
    const directory = new ImNodeDirectory(registry, env);
    expect(await directory.wsAddressFor(1)).toBe('ws://10.0.0.7:8090/ws');
    expect(await directory.wsAddressFor(2)).toBe('ws://127.0.0.1:8090/ws');
    expect(warn.mock.calls.map(([m]) => String(m))).toEqual([
      expect.stringContaining('im-core node ws://10.0.0.7:8090/ws is not among'),
    ]);
    warn.mockRestore();
  });
});

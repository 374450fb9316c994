import { HostSetting, IntSetting, IsPort, Secret } from '@live/common';
import { IsOptional, IsString, Matches, ValidateBy, ValidationArguments } from 'class-validator';

/** One Redis Cluster seed node. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** "a:1, b:2" -> [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]; throws on an entry that is not host:port. */
export function parseRedisNodes(list: string): RedisNodeAddress[] {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new Error('no host:port in the list');
  return entries.map((entry) => {
    const match = /^([^\s,:]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) throw new Error(`"${entry}" is not host:port`);
    return { host: match[1], port };
  });
}

function IsRedisNodeList(): PropertyDecorator {
  return ValidateBy({
    name: 'isRedisNodeList',
    validator: {
      validate: (value: unknown) => {
        try {
          return typeof value === 'string' && parseRedisNodes(value).length > 0;
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be a comma-separated list of host:port (ports 1-65535)',
    },
  });
}

/** A Redis Cluster has database 0 only. */
function ZeroWithCluster(): PropertyDecorator {
  return ValidateBy({
    name: 'zeroWithCluster',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        !(args?.object as RedisEnv | undefined)?.REDIS_CLUSTER_NODES || value === 0,
      defaultMessage: () => 'must be 0 with REDIS_CLUSTER_NODES (a Redis Cluster has only database 0)',
    },
  });
}

export class RedisEnv {
  /** The single Redis server; ignored when REDIS_CLUSTER_NODES is set. */
  @HostSetting()
  REDIS_HOST: string = '127.0.0.1';

  @IsPort()
  REDIS_PORT: number = 6379;

  /**
   * A Redis Cluster instead of one server: some of its nodes, comma-separated host:port (the client
   * discovers the others). Every app's client is then an ioredis Cluster; REDIS_DB must be 0.
   */
  @IsOptional()
  @IsRedisNodeList()
  REDIS_CLUSTER_NODES?: string;

  /** None for the local development server; required (a real secret) in production. */
  @Secret()
  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @IntSetting(0, 15)
  @ZeroWithCluster()
  REDIS_DB: number = 0;

  /** Every key starts with it: several deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1-32 letters, digits, _ or -' })
  REDIS_KEY_PREFIX: string = 'lg';
}

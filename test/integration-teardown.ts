import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * After the integration project: a Redis Cluster its specs created (createTestRedisCluster of
 * @live/testing marks it) is taken down with scripts/redis-cluster; one that was up before the run stays.
 */
export default function teardown(): void {
  const root = join(__dirname, '..');
  const marker = join(process.env.LIVE_GIFT_INFRA_STATE ?? join(root, '.infra'), 'redis-cluster', 'created-by-tests');
  if (existsSync(marker)) execFileSync('bash', [join(root, 'scripts', 'redis-cluster'), 'down'], { stdio: 'inherit' });
}

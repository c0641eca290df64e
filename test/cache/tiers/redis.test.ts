import { RedisTier } from '../../../src/cache/tiers/redis.ts';
import { RedisConnection } from '../../../src/fleet/redis.ts';
import { startRedisServer } from '../../support/redis-server.ts';
import { tierContract } from './contract.ts';

tierContract('redis', async () => {
  const server = await startRedisServer();
  const redis = new RedisConnection({ url: server.url, timeoutMs: 500 });
  // The contract's entries are dated in 2027: Redis expiries are counted from that clock.
  const tier = new RedisTier(redis, 'contract:', () => Date.now());
  return {
    tier,
    stop: async () => {
      await redis.close();
      await server.stop();
    },
  };
});

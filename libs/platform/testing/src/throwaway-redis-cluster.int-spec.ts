import { Cluster } from 'ioredis';
import { isListening, tcpExchange } from './tcp-probe';
import { startThrowawayRedisCluster, type ThrowawayRedisCluster } from './throwaway-redis-cluster';

// Writes both keys, so it fails unless one node holds both slots.
const SET_BOTH =
  "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return 2";

describe('startThrowawayRedisCluster', () => {
  let cluster: ThrowawayRedisCluster;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await startThrowawayRedisCluster({ masters: 3 });
    client = new Cluster([...cluster.nodes], { clusterRetryStrategy: () => null });
  });
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('has three masters on their own ports, sharing out all 16384 slots', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.nodes.map(({ port }) => port)).not.toContain(6379);
    const slots = await client.cluster('SLOTS');
    const owners = new Set(slots.map(([, , master]) => master?.[1]));
    expect([...owners].sort()).toEqual(cluster.nodes.map(({ port }) => port).sort());
    expect(slots.reduce((sum, [from, to]) => sum + to - from + 1, 0)).toBe(16_384);
  });

  it('runs a script over two keys that share a hash tag', async () => {
    expect(await client.eval(SET_BOTH, 2, '{key_1}:record', '{key_1}:window', 'v')).toBe(2);
    expect(await client.mget('{key_1}:record', '{key_1}:window')).toEqual(['v', 'v']);
  });

  it('refuses a script over two keys in different slots (CROSSSLOT)', async () => {
    const [a, b] = ['keyway:record', 'keyway:hash'];
    expect(await client.cluster('KEYSLOT', a)).not.toBe(await client.cluster('KEYSLOT', b));
    await expect(client.eval(SET_BOTH, 2, a, b, 'v')).rejects.toThrow(/CROSSSLOT/);
  });

  it('kills a node and restarts it empty, serving its slots again', async () => {
    const { port } = cluster.nodes[1] as { port: number };
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.set(`{key_${i}}:record`, 'before')),
    );
    expect(await tcpExchange('127.0.0.1', port, 'DBSIZE\r\n')).not.toBe(':0\r\n');
    await cluster.kill(1);
    expect(await isListening('127.0.0.1', port)).toBe(false);

    await cluster.restart(1);
    expect(await tcpExchange('127.0.0.1', port, 'DBSIZE\r\n')).toBe(':0\r\n');
    const fresh = new Cluster([...cluster.nodes], { clusterRetryStrategy: () => null });
    try {
      expect(await fresh.eval(SET_BOTH, 2, '{key_2}:a', '{key_2}:b', 'w')).toBe(2);
    } finally {
      fresh.disconnect();
    }
  });

  it('stops every node, leaving nothing listening', async () => {
    client.disconnect();
    await cluster.stop();
    const listening = await Promise.all(
      cluster.nodes.map(({ host, port }) => isListening(host, port)),
    );
    expect(listening).toEqual(cluster.nodes.map(() => false));
  });
});

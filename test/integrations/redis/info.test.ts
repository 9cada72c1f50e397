import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { infoNumber, infoSubfields, parseInfo, parseInfoSections } from '../../../src/integrations/redis/info.js';

const captured = readFileSync(new URL('./fixtures/info-everything-7.0.15.txt', import.meta.url), 'utf8');

describe('INFO parser on INFO everything captured from redis-server 7.0.15', () => {
  const info = parseInfo(captured);

  it('reads the clients and stats fields the runbook relies on, as numbers', () => {
    expect(infoNumber(info, 'connected_clients')).toBe(7);
    expect(infoNumber(info, 'maxclients')).toBe(10000);
    expect(infoNumber(info, 'blocked_clients')).toBe(0);
    expect(infoNumber(info, 'client_recent_max_input_buffer')).toBe(20480);
    expect(infoNumber(info, 'rejected_connections')).toBe(0);
    expect(infoNumber(info, 'total_connections_received')).toBe(20);
  });

  it('strips the CRLF Redis ends lines with and keeps values holding ":" or nothing', () => {
    expect(info.redis_version).toBe('7.0.15');
    expect(info.executable).toBe('/tmp/capredis/redis-server');
    expect(info.config_file).toBe('');
    expect(infoNumber(info, 'config_file')).toBeUndefined();
    expect(info.mem_allocator).toBe('jemalloc-5.3.0');
    expect(infoNumber(info, 'used_cpu_sys')).toBeCloseTo(0.017056);
    expect(infoNumber(info, 'role')).toBeUndefined();
  });

  it('groups fields by section, every section of INFO everything included', () => {
    const sections = parseInfoSections(captured);
    expect(Object.keys(sections)).toEqual([
      'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
      'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace',
    ]);
    expect(sections.clients?.connected_clients).toBe('7');
    expect(sections.modules).toEqual({});
    expect(Object.keys(sections.clients!)).toHaveLength(8);
  });

  it('splits the a=b,c=d values of keyspace, replica, command, error and latency lines', () => {
    expect(infoSubfields(info.db0)).toEqual({ keys: '1', expires: '0', avg_ttl: '0' });
    expect(infoSubfields(info.slave0)).toEqual({ ip: '127.0.0.1', port: '17000', state: 'wait_bgsave', offset: '0', lag: '0' });
    expect(infoSubfields(info['cmdstat_client|list'])).toMatchObject({ calls: '2', usec_per_call: '77.50', failed_calls: '0' });
    expect(infoSubfields(info.errorstat_ERR)).toEqual({ count: '36' });
    expect(infoSubfields(info['latency_percentiles_usec_client|list'])).toEqual({ p50: '30.079', p99: '125.439', 'p99.9': '125.439' });
    expect(infoSubfields(undefined)).toEqual({});
  });
});

describe('INFO parser on a Redis 7.4 server under exhaustion (hand-written from the 7.4 field list)', () => {
  const text = [
    '# Server',
    'redis_version:7.4.1',
    'redis_mode:standalone',
    'listener0:name=tcp,bind=*,bind=-::*,port=6379',
    'listener1:name=unix,bind=/run/redis/redis.sock',
    '',
    '# Clients',
    'connected_clients:9980',
    'cluster_connections:0',
    'maxclients:10000',
    'client_recent_max_input_buffer:20480',
    'client_recent_max_output_buffer:0',
    'blocked_clients:12',
    'tracking_clients:0',
    'pubsub_clients:3',
    'watching_clients:1',
    'clients_in_timeout_table:12',
    'total_watched_keys:2',
    'total_blocking_keys:4',
    'total_blocking_keys_on_nokey:0',
    '',
    '# Stats',
    'total_connections_received:1873312',
    'rejected_connections:1432',
    'client_query_buffer_limit_disconnections:0',
    'client_output_buffer_limit_disconnections:2',
    '',
  ].join('\r\n');

  it('reads the 7.2/7.4 client counters and the listener lines', () => {
    const info = parseInfo(text);
    expect(infoNumber(info, 'connected_clients')).toBe(9980);
    expect(infoNumber(info, 'pubsub_clients')).toBe(3);
    expect(infoNumber(info, 'watching_clients')).toBe(1);
    expect(infoNumber(info, 'total_blocking_keys_on_nokey')).toBe(0);
    expect(infoNumber(info, 'rejected_connections')).toBe(1432);
    expect(info.listener0).toBe('name=tcp,bind=*,bind=-::*,port=6379');
    // A key repeated inside one value keeps every value.
    expect(infoSubfields(info.listener0)).toEqual({ name: 'tcp', bind: '*,-::*', port: '6379' });
    expect(parseInfoSections(text).clients?.blocked_clients).toBe('12');
  });
});

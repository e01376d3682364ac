'use strict';
/**
 * The environment contract (targets/README.md): HOST, PORT, WORKERS, DATABASE_PATH, SECRET_KEY,
 * and DATABASE_URL: when set and not empty, the data lives in that PostgreSQL database (a libpq
 * URI, given to node-postgres as is) and DATABASE_PATH is not used. DATABASE_POOL_SIZE sets the
 * connections per worker (db/postgres/index.js explains the default).
 * A missing or malformed variable stops the start with a message naming it (exit code 2), before
 * anything is forked.
 */
const os = require('node:os');

class ConfigError extends Error {}

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${name} is not set`);
  }
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not an integer in ${min}..${max}`);
  }
  return Number(raw);
}

function required(env, name) {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`${name} is not set`);
  return value;
}

function loadConfig(env = process.env) {
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', undefined, 1, 65535),
    workers: integer(env, 'WORKERS', os.availableParallelism(), 1, 256),
    databaseUrl: env.DATABASE_URL || null,
    databasePath: env.DATABASE_URL ? env.DATABASE_PATH || null : required(env, 'DATABASE_PATH'),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 0, 1, 1000), // 0: the default
    secretKey: required(env, 'SECRET_KEY'),
    sqlLog: env.SQL_LOG === '1', // print every SQL statement
    queryCount: env.BLOG_QUERY_COUNT === '1', // X-Query-Count on every response
  };
}

module.exports = { loadConfig, ConfigError };

'use strict';
/**
 * Entry point: the Express app on HOST:PORT, in one process when WORKERS=1, else a node `cluster`
 * of WORKERS processes.
 *
 * With one worker there is nothing to balance: the process creates the schema and serves itself
 * (a cluster primary would only hand connections over, one IPC hop per connection, and add a
 * second node process to the memory figure). With several, the primary creates the schema (so workers never race to create it), forks the workers, and on
 * SIGTERM/SIGINT forwards the signal to them and exits once they are gone, force-killing any that
 * is still alive after SHUTDOWN_GRACE_MS (the contract allows 5 s in all). A worker that dies
 * unexpectedly is replaced. Each worker opens its own database access (db/index.js: one SQLite
 * connection, or a node-postgres Pool when DATABASE_URL is set), and on SIGTERM stops accepting,
 * closes idle keep-alive connections and exits.
 */
const cluster = require('node:cluster');
const http = require('node:http');
const { loadConfig, ConfigError } = require('./src/config');

const SHUTDOWN_GRACE_MS = 2000; // workers get this long to finish in-flight requests
const RESTART_BACKOFF_MS = 1000; // minimum delay between replacing crashed workers

process.env.NODE_ENV ||= 'production'; // Express: view cache on, terse errors

function readConfig() {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`express: configuration error: ${err.message}`);
    process.exit(2);
  }
}

async function runPrimary(config) {
  await createSchemaOrExit(config);

  let stopping = false;
  let exitCode = 0;
  let lastRestart = 0;
  // Our own count: cluster.workers may still list a worker when its 'exit' event fires.
  const live = new Set();
  const fork = () => live.add(cluster.fork().id);
  for (let i = 0; i < config.workers; i++) fork();

  const listening = new Set();
  cluster.on('listening', (worker) => listening.add(worker.id));

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker.id);
    if (stopping) {
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    if (!listening.has(worker.id)) {
      // It never served: replacing it would fail the same way (bad port, unreadable database).
      console.error(`express: worker ${worker.process.pid} failed to start (${signal || code}); stopping`);
      exitCode = 3;
      return stop('SIGTERM');
    }
    console.error(`express: worker ${worker.process.pid} exited (${signal || code}); starting another`);
    const wait = Math.max(0, lastRestart + RESTART_BACKOFF_MS - Date.now());
    lastRestart = Date.now() + wait;
    setTimeout(() => stopping || fork(), wait);
  });

  function stop(signal) {
    if (stopping) return;
    stopping = true;
    if (live.size === 0) process.exit(exitCode);
    for (const worker of Object.values(cluster.workers)) worker.process.kill(signal);
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGKILL');
      process.exit(exitCode);
    }, SHUTDOWN_GRACE_MS + 1000).unref();
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
  console.log(
    `express: primary ${process.pid} serving http://${config.host}:${config.port} with ${config.workers} workers`,
  );
}

/**
 * Requests that Node's HTTP parser rejects never reach Express; answer them in the contract's
 * shape (JSON body, Server and Date headers) instead of Node's bare "400 Bad Request".
 */
// parity-ruling: begin 12 Node's parse errors as the contract's JSON
function onClientError(err, socket) {
  if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ errors: { request: ['is invalid'] } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      `Server: Express\r\nDate: ${new Date().toUTCString()}\r\nAccess-Control-Allow-Origin: *\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
// parity-ruling: end

async function createSchemaOrExit(config) {
  const { createSchema, describe } = require('./src/db');
  try {
    await createSchema(config);
  } catch (err) {
    console.error(`express: cannot create the schema in ${describe(config)}: ${err.message}`);
    process.exit(3);
  }
}

/** One process serving on its own (WORKERS=1): ^C stops it like SIGTERM. */
async function runStandalone(config) {
  await createSchemaOrExit(config);
  runWorker(config, { standalone: true });
  console.log(`express: ${process.pid} serving http://${config.host}:${config.port} (one process)`);
}

function runWorker(config, { standalone = false } = {}) {
  const { openBackend } = require('./src/db');
  const { createApp } = require('./src/app');
  const { queryCounter: createQueryCounter } = require('./src/middleware/query-count');
  const queryCounter = config.queryCount ? createQueryCounter() : undefined;
  const logSql = config.sqlLog ? (sql) => console.log(`sql[${process.pid}]: ${sql.replace(/\s+/g, ' ')}`) : undefined;
  const verbose =
    logSql || queryCounter
      ? (sql) => {
          queryCounter?.onStatement();
          logSql?.(sql);
        }
      : undefined;
  const database = openBackend(config, { verbose });
  const app = createApp({ database, secretKey: config.secretKey, queryCounter });
  // Without a Host header Node answers a bare 400 itself (no Server, CORS or JSON body): let the
  // request through, as the Python servers do (the app never reads Host).
  const server = http.createServer({ requireHostHeader: false }, app); // parity-ruling: 12
  server.on('clientError', onClientError); // parity-ruling: 12
  server.on('error', (err) => {
    console.error(`express: cannot listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(3);
  });
  server.listen(config.port, config.host);

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      database.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections(); // keep-alive connections waiting for a next request
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  });
  // In a cluster the primary decides (a terminal's ^C reaches the whole group); alone, ^C stops.
  process.on('SIGINT', standalone ? () => process.emit('SIGTERM') : () => {});
}

const config = readConfig();
if (!cluster.isPrimary) runWorker(config);
else if (config.workers === 1) runStandalone(config);
else runPrimary(config);

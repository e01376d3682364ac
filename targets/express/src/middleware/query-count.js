'use strict';
/**
 * BLOG_QUERY_COUNT=1 (the same switch as the quill target): every response carries
 * `X-Query-Count`, the number of SQL statements run while handling it, counted by the backend's
 * `verbose` hook (better-sqlite3's option, or db/postgres's query function; BEGIN and COMMIT
 * count on PostgreSQL). It shows that list endpoints run a constant number of queries (2 for
 * /api/articles whatever the page size). A worker interleaves requests at each await: on SQLite
 * only the bcrypt endpoints await, on PostgreSQL every query does, so under concurrent load a
 * count may include a neighbour's statements (measure one request at a time).
 */

function queryCounter() {
  let executed = 0;
  return {
    /** The `verbose` option of better-sqlite3: called once per statement executed. */
    onStatement() {
      executed++;
    },
    middleware(req, res, next) {
      const start = executed;
      const writeHead = res.writeHead;
      res.writeHead = function writeHeadWithQueryCount(...args) {
        if (!this.headersSent) this.setHeader('X-Query-Count', String(executed - start));
        return writeHead.apply(this, args);
      };
      next();
    },
  };
}

module.exports = { queryCounter };

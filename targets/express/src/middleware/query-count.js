'use strict';
/**
 * BLOG_QUERY_COUNT=1 (the same switch as the quill target): every response carries
 * `X-Query-Count`, the number of SQL statements run while handling it, counted by
 * better-sqlite3's `verbose` hook. It shows that list endpoints run a constant number of
 * queries (2 for /api/articles whatever the page size). A worker handles requests one at a time
 * between awaits; only the bcrypt endpoints await, so their counts may include a neighbour's.
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

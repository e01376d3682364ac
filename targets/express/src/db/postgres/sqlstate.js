'use strict';
/** The SQLSTATEs (error.code of node-postgres) the repositories act on. */
module.exports = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
};

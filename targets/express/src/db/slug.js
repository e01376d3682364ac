'use strict';
const crypto = require('node:crypto');

/** The slug of the rulings: ASCII-lower-cased title, non-[a-z0-9] runs to '-', trimmed, + 8 hex. */
function slugify(title) {
  const base = title
    .replace(/[A-Z]+/g, (s) => s.toLowerCase())
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = crypto.randomBytes(4).toString('hex');
  return base ? `${base}-${suffix}` : suffix;
}

module.exports = { slugify };

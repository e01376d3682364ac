'use strict';
/**
 * Malformed percent-encoding in the path ("/api/profiles/%zz", "%ff" that is not UTF-8): Express
 * would fail to decode the route parameter and skip the route. The other targets treat such a
 * segment as a name that exists nowhere (404 profile / article / comment, after the 401 checks),
 * so the segment is repaired here, before routing: a "%" that starts no escape stands for itself
 * ("%25"), and bytes that are not UTF-8 become U+FFFD, as Python's urllib.parse.unquote does.
 */
// parity-ruling: begin 10 a malformed segment names nothing (404 after the 401 checks)
const HEX_ESCAPE = /%[0-9A-Fa-f]{2}/g;

function repairSegment(segment) {
  try {
    decodeURIComponent(segment);
    return segment;
  } catch {
    const literal = segment.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
    const bytes = [];
    let last = 0;
    for (const m of literal.matchAll(HEX_ESCAPE)) {
      bytes.push(Buffer.from(literal.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[0].slice(1), 16)]));
      last = m.index + 3;
    }
    bytes.push(Buffer.from(literal.slice(last), 'utf8'));
    return encodeURIComponent(Buffer.concat(bytes).toString('utf8'));
  }
}

function repairPercentEncoding(req, res, next) {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path.includes('%')) {
    const repaired = path.split('/').map(repairSegment).join('/');
    if (repaired !== path) req.url = repaired + (q < 0 ? '' : req.url.slice(q));
  }
  next();
}
// parity-ruling: end

module.exports = { repairPercentEncoding };

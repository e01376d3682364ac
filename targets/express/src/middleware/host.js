'use strict';
/**
 * RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host header, with two
 * of them or with an invalid value. Node's parser passes all three on (and req.headers keeps only
 * the first Host), so the raw header list is checked here, before CORS and everything else; the
 * answer is the contract's JSON error (ruling 12).
 */
// uri-host [":" port] (RFC 3986 3.2.2): an IP literal or a reg-name.
// parity-ruling: begin 12 malformed requests (Host) as the contract's JSON 400
const HOST_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(:[0-9]*)?$/;

function hostHeader(req, res, next) {
  const hosts = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1]);
  }
  const needsHost = req.httpVersion !== '1.0';
  if (hosts.length > 1 || (needsHost && hosts.length === 0) || (hosts.length && !HOST_RE.test(hosts[0]))) {
    res.status(400).set('Access-Control-Allow-Origin', '*').json({ errors: { request: ['is invalid'] } });
    return;
  }
  next();
}
// parity-ruling: end

module.exports = { hostHeader };

"""mutant proxy for specs/web: sits in front of a running target and breaks ONE rule of contract
section 7 (argv MUT), so that run.sh can check that the web suites fail on each broken rule, and
pass with MUT=none. Usage: proxy.py UPSTREAM_HOST UPSTREAM_PORT LISTEN_PORT MUT SESSION_COOKIE.

The rewrites assume the markup written as section 7 writes it (class="flash", class="comment",
class="tags", class="errors", class="user"), which the targets' templates use (run.sh runs it
against flask by default). Plain standard library, /usr/bin/python3."""
import http.client, http.server, os, re, sys, threading, urllib.parse
UP_HOST, UP_PORT = sys.argv[1], int(sys.argv[2])
PORT = int(sys.argv[3])
MUT = sys.argv[4]
SC = sys.argv[5]
tokens = {}
lock = threading.Lock()
HOP = {'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection'}

def session_of(cookie):
    m = re.search(r'(?:^|;\s*)' + re.escape(SC) + r'=([^;]*)', cookie or '')
    return m.group(1) if m else ''

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    def handle_one(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else b''
        path = self.path
        cookie = self.headers.get('Cookie', '')
        ctype = self.headers.get('Content-Type', '')
        form = {}
        if self.command == 'POST' and 'x-www-form-urlencoded' in ctype:
            form = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True))
            if MUT == 'csrf_any':
                with lock:
                    tok = tokens.get(session_of(cookie))
                if tok:
                    name, val = tok
                    form2 = [(k, v) for k, v in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True) if 'csrf' not in k]
                    form2.append((name, val))
                    body = urllib.parse.urlencode(form2).encode()
        if MUT == 'logout_client_only' and self.command == 'POST' and path == '/logout':
            self.reply(303, [('Location', '/'), ('Set-Cookie', SC + '=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax')], b'')
            return
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != 'host'}
        if body or self.command == 'POST':
            hdrs['Content-Length'] = str(len(body))
        c = http.client.HTTPConnection(UP_HOST, UP_PORT, timeout=30)
        c.request(self.command, path, body=body if body or self.command == 'POST' else None, headers=hdrs)
        r = c.getresponse()
        rb = r.read()
        status = r.status
        rh = [(k, v) for k, v in r.getheaders() if k.lower() not in HOP]
        c.close()
        status, rh, rb = mutate(self.command, path, form, cookie, status, rh, rb)
        self.reply(status, rh, rb, head=self.command == 'HEAD')
    def reply(self, status, rh, rb, head=False):
        self.send_response_only(status)
        for k, v in rh:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(rb)))
        self.end_headers()
        if not head:
            self.wfile.write(rb)
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = handle_one

def sub(rb, pat, rep, flags=0):
    return re.sub(pat.encode(), rep.encode() if isinstance(rep, str) else rep, rb, flags=flags)

def mutate(method, path, form, cookie, status, rh, rb):
    html = any(k.lower() == 'content-type' and 'text/html' in v for k, v in rh)
    loc = next((v for k, v in rh if k.lower() == 'location'), None)
    def set_loc(new):
        return [(k, new if k.lower() == 'location' else v) for k, v in rh]
    if MUT == 'csrf_any' and html:
        m = re.search(rb'<input[^>]*name="([^"]*csrf[^"]*)"[^>]*value="([^"]*)"', rb) or \
            re.search(rb'<input[^>]*value="([^"]*)"[^>]*name="([^"]*csrf[^"]*)"', rb)
        if m:
            sess = session_of(cookie)
            for k, v in rh:
                if k.lower() == 'set-cookie' and v.startswith(SC + '='):
                    sess = v.split(';')[0].split('=', 1)[1]
            with lock:
                tokens[sess] = (m.group(1).decode(), m.group(2).decode())
    if MUT == 'httponly':
        rh = [(k, re.sub(r';\s*HttpOnly', '', v, flags=re.I) if k.lower() == 'set-cookie' else v) for k, v in rh]
    elif MUT == 'samesite':
        rh = [(k, re.sub(r';\s*SameSite=\w+', '', v, flags=re.I) if k.lower() == 'set-cookie' else v) for k, v in rh]
    elif MUT == 'echo_pw' and status == 422 and form.get('password'):
        rb = sub(rb, r'name="password"', 'name="password" value="%s"' % form['password'])
    elif MUT == 'flash_twice' and html:
        rb = sub(rb, r'(<div class="flash">.*?</div>)', r'\1\1', re.S)
    elif MUT == 'no_flash' and html:
        rb = sub(rb, r'<div class="flash">.*?</div>', '', re.S)
    elif MUT == 'open_redirect' and method == 'POST' and path.startswith('/login') and status == 303:
        nxt = form.get('next') or dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query)).get('next')
        if nxt:
            rh = set_loc(nxt)
    elif MUT == 'next_ignored' and method == 'POST' and path.startswith('/login') and status == 303:
        rh = set_loc('/')
    elif MUT == 'unescape' and html:
        for a, b in (('&lt;', '<'), ('&gt;', '>'), ('&quot;', '"'), ('&#34;', '"'), ('&#39;', "'"), ('&#x27;', "'")):
            rb = rb.replace(a.encode(), b.encode())
    elif MUT == 'status_422_200' and status == 422:
        status = 200
    elif MUT == 'status_403_400' and status == 403:
        status = 400
    elif MUT == 'status_404_200' and status == 404 and html:
        status = 200
    elif MUT == 'comments_oldest_first' and html:
        items = re.findall(rb'<li class="comment".*?</li>', rb, re.S)
        if len(items) > 1:
            it = iter(list(reversed(items)))
            rb = re.sub(rb'<li class="comment".*?</li>', lambda m: next(it), rb, flags=re.S)
    elif MUT == 'tags_unsorted' and html:
        m = re.search(rb'(<ul class="tags">)(.*?)(</ul>)', rb, re.S)
        if m:
            items = re.findall(rb'<li.*?</li>', m.group(2), re.S)
            rb = rb[:m.start()] + m.group(1) + b''.join(reversed(items)) + m.group(3) + rb[m.end():]
    elif MUT == 'no_doctype' and html:
        rb = re.sub(rb'(?i)<!doctype html>', b'', rb)
    elif MUT == 'time_no_ms' and html:
        rb = re.sub(rb'datetime="([^"]*)\.\d{3}Z"', rb'datetime="\1Z"', rb)
    elif MUT == 'no_errors' and html:
        rb = re.sub(rb'<ul class="errors">.*?</ul>', b'', rb, flags=re.S)
    elif MUT == 'values_dropped' and status == 422:
        rb = re.sub(rb'(<input(?![^>]*type="hidden")[^>]*?) value="[^"]*"', rb'\1', rb)
    elif MUT == 'login_no_next' and status == 303 and loc and loc.startswith('/login?next='):
        rh = set_loc('/login')
    elif MUT == 'no_nav_user' and html:
        rb = re.sub(rb'<span class="user">.*?</span>', b'', rb, flags=re.S)
    elif MUT == 'comment_loc_no_id' and loc and '#comment-' in loc:
        rh = set_loc(loc.split('#')[0])
    return status, rh, rb

MUTATIONS = ['none', 'httponly', 'samesite', 'echo_pw', 'flash_twice', 'no_flash', 'open_redirect', 'next_ignored',
             'unescape', 'status_422_200', 'status_403_400', 'status_404_200', 'comments_oldest_first', 'tags_unsorted',
             'no_doctype', 'time_no_ms', 'no_errors', 'values_dropped', 'login_no_next', 'no_nav_user',
             'comment_loc_no_id', 'csrf_any', 'logout_client_only']
if MUT not in MUTATIONS:
    sys.exit('unknown mutation %s (%s)' % (MUT, ' '.join(MUTATIONS)))
http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(('127.0.0.1', PORT), H).serve_forever()

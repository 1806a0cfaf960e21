#!/usr/bin/python3
"""The incident application of tend's test hosts: a small HTTP API on :8000 (stdlib only).

Answers 200 on its ten routes with a body naming the serving pid, so tests can tell the unit's
process from a rogue copy, and the release it runs: the first line of RELEASE beside this file,
read once at start-up like any code (a new release takes effect only after a restart). A release
whose name contains "broken" answers 500 on every route: how a bad deployment looks. A route
listed in FAIL_ROUTE_FILE answers 500 (read per request, so staging needs no restart). Binding a taken port is deliberately not caught: the OSError
(`[Errno 98] Address already in use`) reaches the journal, as in the seed incident.
"""
import argparse
import http.server
import os
import socket

ROUTES = ('/', '/exchange', '/gaps', '/graph', '/analyses', '/atlas',
          '/how.html', '/pitch.html', '/trem2-3d.html', '/atlas.html')
FAIL_ROUTE_FILE = '/var/lib/scidex-api/fail-route'
RELEASE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'RELEASE')


def read_release():
    try:
        with open(RELEASE_FILE, encoding='utf-8') as f:
            return (f.readline().strip() or 'unknown').replace(' ', '_')
    except FileNotFoundError:
        return 'unknown'


RELEASE = read_release()


def failing_routes():
    try:
        with open(FAIL_ROUTE_FILE, encoding='utf-8') as f:
            return {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = 'scidex-api/1.0'

    def do_GET(self):
        path = self.path.split('?', 1)[0]
        if path not in ROUTES:
            self.answer(404, 'not found')
        elif 'broken' in RELEASE or path in failing_routes():
            self.answer(500, 'internal error')
        else:
            self.answer(200, 'ok')

    def answer(self, status, text):
        body = f'scidex-api {text} route={self.path} pid={os.getpid()} release={RELEASE}\n'.encode()
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep the journal for what matters: start-up and bind errors


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            # A second rogue may hold [::]:8000 next to 0.0.0.0:8000; only v6-only makes both possible.
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='0.0.0.0')
    parser.add_argument('--port', type=int, default=8000)
    args = parser.parse_args()
    Server.address_family = socket.AF_INET6 if ':' in args.host else socket.AF_INET
    server = Server((args.host, args.port), Handler)  # OSError on a taken port propagates
    print(f'scidex-api release {RELEASE} listening on {args.host}:{args.port} pid={os.getpid()}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()

"""A recording upstream that parses HTTP/1.1 strictly (h11), for the request-framing corpus.

It listens on loopback twice — plain HTTP and TLS — and records, per connection, the raw bytes it
received and every request h11 parsed from them (method, target, headers, body), or the protocol error
that ended the connection. Every complete request gets a 200 with a small JSON body naming it. A third,
plain control port serves the records: `GET /records` (JSON) and `POST /reset`.

Run: python recording_upstream.py --cert CERT --key KEY
Prints one JSON line with the three ports on stdout once it listens, then serves until killed.
"""

import argparse
import base64
import json
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import h11

LOCK = threading.Lock()
STATE = {"connections": [], "next_id": 1}


def new_connection(tls):
    with LOCK:
        record = {"id": STATE["next_id"], "tls": tls, "raw": bytearray(), "requests": [], "error": None}
        STATE["next_id"] += 1
        STATE["connections"].append(record)
        return record


def respond(conn, sock, method, body):
    data = json.dumps(body).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(data)))]
    out = conn.send(h11.Response(status_code=200, headers=headers))
    if method != "HEAD":
        out += conn.send(h11.Data(data=data))
    out += conn.send(h11.EndOfMessage())
    sock.sendall(out)


def serve_connection(sock, tls):
    record = new_connection(tls)
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
    current = None
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                with LOCK:
                    record["raw"] += data
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                current = {
                    "method": event.method.decode("latin-1"),
                    "target": event.target.decode("latin-1"),
                    "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in event.headers],
                    "body": bytearray(),
                }
            elif isinstance(event, h11.Data):
                current["body"] += event.data
            elif isinstance(event, h11.EndOfMessage):
                with LOCK:
                    record["requests"].append(current)
                    seq = len(record["requests"])
                respond(conn, sock, current["method"], {"connection": record["id"], "seq": seq, "method": current["method"],
                                     "target": current["target"], "bodyBytes": len(current["body"])})
                current = None
                if conn.our_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
            elif isinstance(event, h11.ConnectionClosed):
                break
    except h11.RemoteProtocolError as err:
        with LOCK:
            record["error"] = f"{type(err).__name__}: {err}"
    except (OSError, ssl.SSLError) as err:
        with LOCK:
            if record["raw"]:
                record["error"] = f"connection failed: {err}"
    finally:
        try:
            sock.close()
        except OSError:
            pass


def accept_loop(listener, tls_context):
    while True:
        sock, _ = listener.accept()
        if tls_context is not None:
            try:
                sock = tls_context.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                sock.close()
                continue
        threading.Thread(target=serve_connection, args=(sock, tls_context is not None), daemon=True).start()


def snapshot():
    with LOCK:
        connections = []
        for c in STATE["connections"]:
            connections.append({
                "id": c["id"],
                "tls": c["tls"],
                "raw": base64.b64encode(bytes(c["raw"])).decode(),
                "error": c["error"],
                "requests": [dict(r, body=base64.b64encode(bytes(r["body"])).decode()) for r in c["requests"]],
            })
        return {"connections": connections}


class Control(BaseHTTPRequestHandler):
    def do_GET(self):
        self.answer(snapshot() if self.path == "/records" else {"error": "not found"}, 200 if self.path == "/records" else 404)

    def do_POST(self):
        if self.path != "/reset":
            return self.answer({"error": "not found"}, 404)
        with LOCK:
            # Keep connections that are still open (pooled by the sidecar) but forget what they carried.
            for c in STATE["connections"]:
                c["raw"] = bytearray()
                c["requests"] = []
                c["error"] = None
        self.answer({"ok": True}, 200)

    def answer(self, body, status):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    return s


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.set_alpn_protocols(["http/1.1"])
    plain, tls = listen(), listen()
    control = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    threading.Thread(target=accept_loop, args=(plain, None), daemon=True).start()
    threading.Thread(target=accept_loop, args=(tls, context), daemon=True).start()
    print(json.dumps({"plain": plain.getsockname()[1], "tls": tls.getsockname()[1], "control": control.server_address[1]}), flush=True)
    control.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

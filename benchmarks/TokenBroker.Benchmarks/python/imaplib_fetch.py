"""Python's imaplib as the IMAP comparison for the imap-fetch benchmark.

Implicit TLS, AUTHENTICATE XOAUTH2, EXAMINE INBOX, then one timed `UID FETCH 1:* (BODY.PEEK[])` whose messages are
counted. The access token comes on stdin, never in argv or the environment. Prints one JSON line: messages, bytes,
seconds (the fetch only), cpu_seconds (this process, the fetch only), total_seconds (connect to logout, what the
broker's whole fetch run is compared with).

usage: imaplib_fetch.py HOST PORT CA_FILE USER  < token
"""
import imaplib
import json
import ssl
import sys
import time


def main() -> None:
    host, port, ca_file, user = sys.argv[1:5]
    token = sys.stdin.readline().strip()
    context = ssl.create_default_context(cafile=ca_file)
    started = time.perf_counter()
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=60)
    imap.authenticate("XOAUTH2", lambda _: f"user={user}\x01auth=Bearer {token}\x01\x01".encode())
    imap.select("INBOX", readonly=True)
    cpu, wall = time.process_time(), time.perf_counter()
    status, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if status != "OK":
        raise SystemExit(f"UID FETCH failed: {data!r}")
    bodies = [part[1] for part in data if isinstance(part, tuple)]
    imap.logout()
    total = time.perf_counter() - started
    print(json.dumps({"messages": len(bodies), "bytes": sum(len(b) for b in bodies), "seconds": wall, "cpu_seconds": cpu,
                      "total_seconds": total}))


if __name__ == "__main__":
    main()

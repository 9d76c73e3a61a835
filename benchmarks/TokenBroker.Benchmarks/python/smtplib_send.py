"""Python's smtplib as the SMTP comparison for the smtp-send benchmark.

One STARTTLS connection, AUTH XOAUTH2 with the token after the 334 prompt (Dovecot submission refuses an AUTH line
carrying a real JWT), then N sendmail() calls on the same connection. The access token comes on stdin, never in
argv or the environment. Prints one JSON line: messages, seconds (sending only), cpu_seconds (this process, sending only).

usage: smtplib_send.py HOST PORT CA_FILE SENDER RECIPIENT MESSAGE_FILE COUNT  < token
"""
import base64
import json
import smtplib
import ssl
import sys
import time


def main() -> None:
    host, port, ca_file, sender, recipient, message_file, count = sys.argv[1:8]
    token = sys.stdin.readline().strip()
    with open(message_file, "rb") as f:
        message = f.read()
    context = ssl.create_default_context(cafile=ca_file)
    with smtplib.SMTP(host, int(port), timeout=30) as smtp:
        smtp.starttls(context=context)
        smtp.ehlo()
        xoauth2 = f"user={sender}\x01auth=Bearer {token}\x01\x01"
        smtp.auth("XOAUTH2", lambda challenge=None: xoauth2, initial_response_ok=False)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(int(count)):
            smtp.sendmail(sender, [recipient], message)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"messages": int(count), "seconds": wall, "cpu_seconds": cpu}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Python's own mail clients against the TokenBroker bridge, as a legacy app would use them.

Usage: bridge_clients.py ACTION HOST PORT TLS [ARGS...]
  ACTION: smtp-send (ARGS: FROM TO SUBJECT MESSAGE_ID [COUNT]), imap-fetch (ARGS: SUBJECT), pop3-fetch (ARGS: SUBJECT),
          imap-login, pop3-login
  TLS: starttls | implicit | none
Credentials come from the environment (BRIDGE_USER, BRIDGE_SECRET, BRIDGE_AUTH=login|plain), the CA from BRIDGE_CA.
Prints one JSON line: {"ok": true, ...} or {"ok": false, "error": "<the server's reply>"}; exit code 0 either way
unless the script itself broke.
"""
import base64, email, imaplib, json, os, poplib, smtplib, ssl, sys

TIMEOUT = 30


def context():
    return ssl.create_default_context(cafile=os.environ["BRIDGE_CA"])


def smtp_send(host, port, tls, sender, to, subject, message_id, count="1"):
    user, secret, auth = os.environ["BRIDGE_USER"], os.environ["BRIDGE_SECRET"], os.environ.get("BRIDGE_AUTH", "login")
    client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context()) if tls == "implicit" else smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        client.ehlo()
        if tls == "starttls":
            client.starttls(context=context())
            client.ehlo()
        if auth == "plain":
            code, reply = client.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{user}\0{secret}".encode()).decode())
            if code != 235:
                return {"ok": False, "error": f"{code} {reply.decode()}"}
        else:
            client.login(user, secret)
        replies = []
        for i in range(int(count)):
            mid = message_id if int(count) == 1 else message_id.replace("@", f".{i}@")
            body = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n\r\nSent through the TokenBroker bridge by smtplib.\r\n"
            code, reply = client.mail(sender)
            if code != 250:
                return {"ok": False, "error": f"{code} {reply.decode()}"}
            code, reply = client.rcpt(to)
            if code not in (250, 251):
                return {"ok": False, "error": f"{code} {reply.decode()}"}
            code, reply = client.data(body.encode())
            if code != 250:
                return {"ok": False, "error": f"{code} {reply.decode()}"}
            replies.append(f"{code} {reply.decode()}")
        return {"ok": True, "replies": replies}
    except smtplib.SMTPResponseException as e:
        return {"ok": False, "error": f"{e.smtp_code} {e.smtp_error.decode() if isinstance(e.smtp_error, bytes) else e.smtp_error}"}
    finally:
        try:
            client.quit()
        except Exception:
            pass


def imap_open(host, port, tls):
    user, secret, auth = os.environ["BRIDGE_USER"], os.environ["BRIDGE_SECRET"], os.environ.get("BRIDGE_AUTH", "login")
    client = imaplib.IMAP4_SSL(host, port, ssl_context=context(), timeout=TIMEOUT) if tls == "implicit" else imaplib.IMAP4(host, port, timeout=TIMEOUT)
    if tls == "starttls":
        client.starttls(ssl_context=context())
    if auth == "plain":
        client.authenticate("PLAIN", lambda _: f"\0{user}\0{secret}".encode())
    else:
        client.login(user, secret)
    return client


def imap_login(host, port, tls):
    try:
        client = imap_open(host, port, tls)
    except imaplib.IMAP4.error as e:
        return {"ok": False, "error": str(e)}
    client.logout()
    return {"ok": True}


def imap_fetch(host, port, tls, subject):
    try:
        client = imap_open(host, port, tls)
    except imaplib.IMAP4.error as e:
        return {"ok": False, "error": str(e)}
    try:
        client.select("INBOX", readonly=True)
        typ, data = client.search(None, "SUBJECT", f'"{subject}"')
        found = []
        for number in data[0].split():
            typ, parts = client.fetch(number, "(BODY.PEEK[])")
            message = email.message_from_bytes(parts[0][1])
            found.append({"message_id": message["Message-ID"], "size": len(parts[0][1])})
        return {"ok": True, "messages": found}
    finally:
        client.logout()


def pop3_open(host, port, tls):
    user, secret, auth = os.environ["BRIDGE_USER"], os.environ["BRIDGE_SECRET"], os.environ.get("BRIDGE_AUTH", "login")
    client = poplib.POP3_SSL(host, port, context=context(), timeout=TIMEOUT) if tls == "implicit" else poplib.POP3(host, port, timeout=TIMEOUT)
    if tls == "starttls":
        client.stls(context=context())
    if auth == "plain":
        reply = client._shortcmd("AUTH PLAIN " + base64.b64encode(f"\0{user}\0{secret}".encode()).decode())
    else:
        client.user(user)
        client.pass_(secret)
    return client


def pop3_login(host, port, tls):
    try:
        client = pop3_open(host, port, tls)
    except poplib.error_proto as e:
        return {"ok": False, "error": e.args[0].decode() if isinstance(e.args[0], bytes) else str(e)}
    client.quit()
    return {"ok": True}


def pop3_fetch(host, port, tls, subject):
    try:
        client = pop3_open(host, port, tls)
    except poplib.error_proto as e:
        return {"ok": False, "error": e.args[0].decode() if isinstance(e.args[0], bytes) else str(e)}
    try:
        found = []
        count, _ = client.stat()
        for number in range(1, count + 1):
            _, lines, octets = client.retr(number)
            message = email.message_from_bytes(b"\r\n".join(lines))
            if message["Subject"] == subject:
                found.append({"message_id": message["Message-ID"], "size": octets})
        return {"ok": True, "messages": found}
    finally:
        client.quit()


ACTIONS = {"smtp-send": smtp_send, "imap-fetch": imap_fetch, "pop3-fetch": pop3_fetch, "imap-login": imap_login, "pop3-login": pop3_login}

if __name__ == "__main__":
    action, host, port, tls, *rest = sys.argv[1:]
    print(json.dumps(ACTIONS[action](host, int(port), tls, *rest)))

"""Verifies the DKIM signature(s) of the message on standard input with Debian's python3-dkim (dkimpy),
looking the keys up at the DNS server given as HOST:PORT (a test knotd), never the system resolver.
Prints "pass" (exit 0) or "fail" (exit 1)."""
import sys

import dkim
import dns.resolver

host, port = sys.argv[1].rsplit(':', 1)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = int(port)


def txt(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    try:
        answer = resolver.resolve(name, 'TXT', lifetime=timeout)
    except dns.exception.DNSException:
        return None
    return b''.join(answer[0].strings)


message = sys.stdin.buffer.read()
ok = dkim.verify(message, dnsfunc=txt)
print('pass' if ok else 'fail')
sys.exit(0 if ok else 1)

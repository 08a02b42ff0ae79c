"""Verifies the message on standard input with Debian's python3-dkim (dkimpy), looking the keys up at the DNS
server given as HOST:PORT (a test knotd), never the system resolver.
  dkim_verify.py HOST:PORT        its DKIM signature(s): prints "pass" (exit 0) or "fail" (exit 1)
  dkim_verify.py HOST:PORT --arc  its ARC chain (arc_verify): prints the chain validation result (pass, fail or
                                  none) and the reason; exits 0 only for pass"""
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
if sys.argv[2:] == ['--arc']:
    cv, _results, reason = dkim.arc_verify(message, dnsfunc=txt)
    cv = cv.decode() if isinstance(cv, bytes) else str(cv)
    print(cv.lower(), reason)
    sys.exit(0 if cv.lower() == 'pass' else 1)
ok = dkim.verify(message, dnsfunc=txt)
print('pass' if ok else 'fail')
sys.exit(0 if ok else 1)

"""Checks SPF (RFC 7208) for a received message's envelope with Debian's python3-spf (pyspf), an implementation
independent of Moat's, looking records up at the DNS server given as HOST:PORT (a test knotd), never the system
resolver. Usage: spf_check.py HOST:PORT CLIENT_IP MAIL_FROM HELO. Prints the result (pass, fail, softfail, ...)."""
import sys

import dns.resolver
import spf

host, port = sys.argv[1].rsplit(':', 1)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [host]
resolver.port = int(port)
dns.resolver.default_resolver = resolver

result, explanation = spf.check2(i=sys.argv[2], s=sys.argv[3], h=sys.argv[4])
print(result)

import { z } from 'zod';

// Inbound TLS of the scan nodes (STARTTLS). Certificates are not part of the policy: they are kept by the CSM
// (keys encrypted) and sent to nodes over the authenticated gRPC link; this section says how TLS is negotiated.

/** OpenSSL cipher-list syntax: names, separators and the operators + - ! @ =. */
const CIPHER_LIST = /^[A-Za-z0-9_:+!@=.-]*$/;

export const tlsSchema = z
  .object({
    // Oldest protocol accepted: TLS 1.0 and 1.1 are never offered.
    minVersion: z.enum(['1.2', '1.3']).default('1.2'),
    // TLS 1.2 cipher suites in OpenSSL syntax ("" = Node's default list); TLS 1.3 suites are not restricted.
    ciphers: z.string().max(2000).regex(CIPHER_LIST, 'must be an OpenSSL cipher list such as ECDHE+AESGCM:ECDHE+CHACHA20').default(''),
  })
  .strict();

export type TlsSettings = z.output<typeof tlsSchema>;

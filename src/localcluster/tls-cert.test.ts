import { X509Certificate } from 'node:crypto';
import { createSecureContext as tlsContext } from 'node:tls';
import { selfSignedCert } from './tls-cert.js';

describe('selfSignedCert', () => {
  it('makes a certificate TLS accepts every time, whatever the random serial', () => {
    // One serial in 256 used to start with a zero byte that DER forbids; 1,000 tries find it.
    for (let i = 0; i < 1000; i++) {
      const { certPem, keyPem } = selfSignedCert();
      expect(() => tlsContext({ key: keyPem, cert: certPem })).not.toThrow();
    }
  });

  it('names loopback and localhost as the subject alternative names', () => {
    const cert = new X509Certificate(selfSignedCert().certPem);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});

package org.rcm.credentials.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/** Refusals before a tenant is known are logged once per source per minute, naming the certificate, nothing secret. */
class UnmappedCertificatesTest {

    @Test
    void eachSourceIsLoggedOncePerMinute() throws Exception {
        UnmappedCertificates log = new UnmappedCertificates();
        X509Certificate certificate = certificate();

        assertTrue(log.refused("192.0.2.1", certificate));
        assertFalse(log.refused("192.0.2.1", certificate), "the same source within the minute: counted, not logged");
        assertTrue(log.refused("192.0.2.2", certificate), "another source");
        assertTrue(log.refused(null, null), "no address, no certificate");
    }

    @Test
    void theLineNamesTheCertificateByFingerprintAndSubject() throws Exception {
        X509Certificate certificate = certificate();

        assertThat(UnmappedCertificates.message("192.0.2.1", certificate))
                .contains("192.0.2.1")
                .contains(CertificateTable.fingerprint(certificate))
                .contains(certificate.getSubjectX500Principal().getName());
    }

    private static X509Certificate certificate() throws Exception {
        try (InputStream in = Files.newInputStream(TestIdentity.NO_SAN.certFile(TestEnvironment.pkiDir()))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}

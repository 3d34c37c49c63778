package org.rcm.credentials.local;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throw-away certificate authorities and certificates for tests, the local run and the
 * benchmark. Nothing made here is meant for production; keys are written unencrypted.
 */
public final class DevPki {

    private static final SecureRandom RANDOM = new SecureRandom();

    private DevPki() {
    }

    /** A certificate with its private key, written as PEM files. */
    public record Issued(X509Certificate certificate, KeyPair keyPair, Path certFile, Path keyFile) {
    }

    /** A certificate authority that can issue server and client certificates. */
    public static final class Authority {
        private final String name;
        private final X509Certificate certificate;
        private final KeyPair keyPair;
        private final Path certFile;

        private Authority(String name, X509Certificate certificate, KeyPair keyPair, Path certFile) {
            this.name = name;
            this.certificate = certificate;
            this.keyPair = keyPair;
            this.certFile = certFile;
        }

        /**
         * Creates a CA valid for ten years and writes {@code <name>.crt} and its key
         * {@code <name>.key} (throw-away development material) to {@code dir}.
         */
        public static Authority create(Path dir, String name) {
            KeyPair keys = newKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            try {
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))),
                        subject, keys.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                X509Certificate cert = sign(builder, keys);
                Path file = dir.resolve(name + ".crt");
                writePem(file, cert);
                writePem(dir.resolve(name + ".key"), new JcaPKCS8Generator(keys.getPrivate(), null));
                return new Authority(name, cert, keys, file);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("could not create CA " + name, e);
            }
        }

        /** The CA that {@link #create} wrote to {@code dir}, able to issue again; empty when its key is not there. */
        public static Optional<Authority> load(Path dir, String name) {
            Path certFile = dir.resolve(name + ".crt");
            Path keyFile = dir.resolve(name + ".key");
            if (!Files.exists(certFile) || !Files.exists(keyFile)) {
                return Optional.empty();
            }
            try (PEMParser certPem = new PEMParser(Files.newBufferedReader(certFile));
                    PEMParser keyPem = new PEMParser(Files.newBufferedReader(keyFile))) {
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate((X509CertificateHolder) certPem.readObject());
                PrivateKey key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) keyPem.readObject());
                return Optional.of(new Authority(name, cert, new KeyPair(cert.getPublicKey(), key), certFile));
            } catch (GeneralSecurityException | IOException | ClassCastException e) {
                throw new IllegalStateException("could not read CA " + name + " from " + dir, e);
            }
        }

        public Path certFile() {
            return certFile;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** Writes a PEM CRL of this CA, valid for a day, listing {@code revoked}; signed with {@code signer} (this CA's key when null). */
        public Path writeCrl(Path file, List<X509Certificate> revoked, KeyPair signer) {
            Instant now = Instant.now();
            X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    Date.from(now.minus(Duration.ofMinutes(1))));
            builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
            revoked.forEach(c -> builder.addCRLEntry(c.getSerialNumber(), Date.from(now), CRLReason.keyCompromise));
            try {
                ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA")
                        .build((signer == null ? keyPair : signer).getPrivate());
                writePem(file, new JcaX509CRLConverter().getCRL(builder.build(contentSigner)));
                return file;
            } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
                throw new IllegalStateException("could not write a CRL of " + name, e);
            }
        }

        /** A key pair that is not this CA's, e.g. to sign a forged CRL. */
        public static KeyPair otherKey() {
            return newKeyPair();
        }

        /** A TLS server certificate for localhost. */
        public Issued issueServer(Path dir, String name) {
            return issue(dir, name, "CN=" + name, List.of(
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")),
                    KeyPurposeId.id_kp_serverAuth, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(825));
        }

        /** A client certificate with the given subject and optional URI SAN, valid from now. */
        public Issued issueClient(Path dir, String name, String subject, String uriSan) {
            return issueClient(dir, name, subject, uriSan, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(825));
        }

        /** A client certificate with the given subject and any number of URI SANs, valid from now. */
        public Issued issueClientWithUris(Path dir, String name, String subject, List<String> uriSans) {
            return issue(dir, name, subject, uriSans.stream()
                            .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri)).toList(),
                    KeyPurposeId.id_kp_clientAuth, Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(825));
        }

        /** A client certificate valid from {@code notBefore} for {@code validity}. */
        public Issued issueClient(Path dir, String name, String subject, String uriSan, Instant notBefore,
                Duration validity) {
            List<GeneralName> sans = uriSan == null ? List.of()
                    : List.of(new GeneralName(GeneralName.uniformResourceIdentifier, uriSan));
            return issue(dir, name, subject, sans, KeyPurposeId.id_kp_clientAuth, notBefore, validity);
        }

        private Issued issue(Path dir, String name, String subject, List<GeneralName> sans, KeyPurposeId purpose,
                Instant notBefore, Duration validity) {
            KeyPair keys = newKeyPair();
            try {
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        new X500Name("CN=" + this.name), serial(), Date.from(notBefore),
                        Date.from(notBefore.plus(validity)), new X500Name(subject), keys.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(certificate));
                if (!sans.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                X509Certificate cert = sign(builder, keyPair);
                Path certPath = dir.resolve(name + ".crt");
                Path keyPath = dir.resolve(name + ".key");
                writePem(certPath, cert);
                writePem(keyPath, new JcaPKCS8Generator(keys.getPrivate(), null));
                return new Issued(cert, keys, certPath, keyPath);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("could not issue " + name, e);
            }
        }
    }

    /** Writes the given certificates, in order, into one PEM bundle. */
    public static Path writeBundle(Path file, List<X509Certificate> certificates) {
        List<Object> objects = new ArrayList<>(certificates);
        writePem(file, objects.toArray());
        return file;
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void writePem(Path file, Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

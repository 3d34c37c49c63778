package org.rcm.credentials.secretstore;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.rcm.credentials.secretstore.SecretValue;

/**
 * Classes a native image must keep for reflection that no extension registers: the STS
 * web-identity provider factory, which the AWS SDK loads by name for IRSA credentials, and the
 * secret value type (serialised by hand today; registered so that a later switch to Jackson
 * data binding cannot break only in native).
 */
@RegisterForReflection(targets = {SecretValue.class},
        classNames = "software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory")
final class NativeRegistrations {

    private NativeRegistrations() {
    }
}

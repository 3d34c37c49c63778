package org.rcm.credentials.local;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import grpc.health.v1.HealthOuterClass;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialsProto;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;

/**
 * A small gRPC client for the broker, for machines without grpcurl. It takes grpcurl's
 * arguments for unary calls, so README's commands work with either:
 *
 * <pre>
 * rcmctl -cert c.crt -key c.key -cacert ca.crt -d '{"portal_id":"p"}' host:port package.Service/Method
 * rcmctl -cert c.crt -key c.key -cacert ca.crt host:port list
 * rcmctl -cert c.crt -key c.key -cacert ca.crt [-dry-run] [-limit N] [-backend ssm|secrets-manager] host:port migrate
 * rcmctl -cert c.crt -key c.key -cacert ca.crt [-dry-run] [-limit N] host:port purge
 * rcmctl -cert c.crt -key c.key -cacert ca.crt [-since T] [-until T] host:port verify-audit
 * </pre>
 * Requests and responses are protobuf JSON. Exit status 1 on an RPC error, with the status on
 * standard error. {@code migrate} and {@code purge} are the legacy migration's operator
 * commands ({@link LegacyMigrationCommand}). {@code verify-audit} recomputes the tenant's
 * audit hash chains (VerifyAuditLog; times as {@code 2026-01-31T00:00:00Z}) and exits 3 when
 * a row is broken.
 */
public final class Rcmctl {

    private static final List<FileDescriptor> FILES = List.of(CredentialsProto.getDescriptor(),
            HealthOuterClass.getDescriptor());

    private Rcmctl() {
    }

    public static void main(String[] args) throws Exception {
        String cert = null;
        String key = null;
        String cacert = null;
        String data = "{}";
        LegacyMigrationCommand.Options legacy = LegacyMigrationCommand.Options.DEFAULTS;
        VerifyAuditLogRequest.Builder verify = VerifyAuditLogRequest.newBuilder();
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-cert" -> cert = args[++i];
                    case "-key" -> key = args[++i];
                    case "-cacert" -> cacert = args[++i];
                    case "-d" -> data = args[++i];
                    case "-dry-run" -> legacy = legacy.withDryRun();
                    case "-limit" -> legacy = legacy.withLimit(args[++i]);
                    case "-backend" -> legacy = legacy.withBackend(args[++i]);
                    case "-since" -> verify.setSince(timestamp("-since", args[++i]));
                    case "-until" -> verify.setUntil(timestamp("-until", args[++i]));
                    default -> positional.add(args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        if (positional.size() != 2) {
            System.err.println("usage: rcmctl -cert FILE -key FILE -cacert FILE [-d JSON] HOST:PORT (list | SERVICE/METHOD)\n"
                    + "       rcmctl -cert FILE -key FILE -cacert FILE [-dry-run] [-limit N] [-backend ssm|secrets-manager]"
                    + " HOST:PORT (migrate | purge)\n"
                    + "       rcmctl -cert FILE -key FILE -cacert FILE [-since TIME] [-until TIME] HOST:PORT verify-audit");
            System.exit(2);
        }
        String command = positional.get(1);
        if (command.equals("list")) {
            FILES.forEach(file -> file.getServices().forEach(service -> System.out.println(service.getFullName())));
            return;
        }
        MethodDescriptor method = List.of("migrate", "purge", "verify-audit").contains(command) ? null : method(command);
        String[] address = positional.get(0).split(":");
        SslContextBuilder tls = GrpcSslContexts.forClient();
        if (cacert != null) {
            tls.trustManager(new File(cacert));
        }
        if (cert != null) {
            tls.keyManager(new File(cert), new File(key));
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress(address[0], Integer.parseInt(address[1]))
                .sslContext(tls.build())
                .userAgent("rcmctl")
                .build();
        if (method == null) {
            int status;
            try {
                status = command.equals("verify-audit") ? verifyAudit(channel, verify.build())
                        : new LegacyMigrationCommand(channel, legacy, System.out, System.err).run(command);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            System.exit(status);
        }
        try {
            System.out.println(JsonFormat.printer().print(call(channel, method, data)));
        } catch (StatusRuntimeException e) {
            System.err.println("ERROR:\n  Code: " + e.getStatus().getCode() + "\n  Message: " + e.getStatus().getDescription());
            System.exit(1);
        } catch (InvalidProtocolBufferException e) {
            System.err.println("invalid -d for " + method.getInputType().getFullName() + ": " + e.getMessage());
            System.exit(2);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** VerifyAuditLog, said in one line: 0 intact, 3 broken, 1 when the call fails. */
    private static int verifyAudit(ManagedChannel channel, VerifyAuditLogRequest request) {
        VerifyAuditLogResponse verified;
        try {
            verified = CredentialAdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
                    .verifyAuditLog(request);
        } catch (StatusRuntimeException e) {
            System.err.println("ERROR:\n  Code: " + e.getStatus().getCode() + "\n  Message: " + e.getStatus().getDescription());
            return 1;
        }
        String checked = verified.getRowsChecked() + " rows checked in " + verified.getChains() + " chains ("
                + verified.getUnchainedRows() + " written before the chains)";
        if (verified.getIntact()) {
            System.out.println("intact: " + checked);
            return 0;
        }
        System.out.println("BROKEN at row " + verified.getFirstBrokenId() + ": " + verified.getFinding() + "; " + checked);
        return 3;
    }

    private static Timestamp timestamp(String flag, String value) {
        try {
            Instant at = Instant.parse(value);
            return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(flag + " must be a time such as 2026-01-31T00:00:00Z");
        }
    }

    private static DynamicMessage call(ManagedChannel channel, MethodDescriptor method, String json)
            throws InvalidProtocolBufferException {
        DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
        JsonFormat.parser().merge(json, request);
        io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod = io.grpc.MethodDescriptor
                .<DynamicMessage, DynamicMessage>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
                        method.getService().getFullName(), method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
                .build();
        return ClientCalls.blockingUnaryCall(channel, grpcMethod, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                request.build());
    }

    private static MethodDescriptor method(String fullName) {
        String normalized = fullName.replace('.', '/');
        int slash = fullName.lastIndexOf(normalized.contains("/") ? '/' : '.');
        String serviceName = fullName.substring(0, slash);
        String methodName = fullName.substring(slash + 1);
        for (FileDescriptor file : FILES) {
            for (ServiceDescriptor service : file.getServices()) {
                if (service.getFullName().equals(serviceName) && service.findMethodByName(methodName) != null) {
                    return service.findMethodByName(methodName);
                }
            }
        }
        System.err.println("unknown method " + fullName + "; try: list");
        System.exit(2);
        return null;
    }
}

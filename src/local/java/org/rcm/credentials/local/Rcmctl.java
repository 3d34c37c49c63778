package org.rcm.credentials.local;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rcm.credentials.api.v1.CredentialsProto;

/**
 * A small gRPC client for the broker, for machines without grpcurl. It takes grpcurl's
 * arguments for unary calls, so README's commands work with either:
 *
 * <pre>
 * rcmctl -cert c.crt -key c.key -cacert ca.crt -d '{"portal_id":"p"}' host:port package.Service/Method
 * rcmctl -cert c.crt -key c.key -cacert ca.crt host:port list
 * rcmctl -cert c.crt -key c.key -cacert ca.crt [-dry-run] [-limit N] [-backend ssm|secrets-manager] host:port migrate
 * rcmctl -cert c.crt -key c.key -cacert ca.crt [-dry-run] [-limit N] host:port purge
 * </pre>
 * Requests and responses are protobuf JSON. Exit status 1 on an RPC error, with the status on
 * standard error. {@code migrate} and {@code purge} are the legacy migration's operator
 * commands ({@link LegacyMigrationCommand}).
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
                    + " HOST:PORT (migrate | purge)");
            System.exit(2);
        }
        String command = positional.get(1);
        if (command.equals("list")) {
            FILES.forEach(file -> file.getServices().forEach(service -> System.out.println(service.getFullName())));
            return;
        }
        MethodDescriptor method = command.equals("migrate") || command.equals("purge") ? null : method(command);
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
                status = new LegacyMigrationCommand(channel, legacy, System.out, System.err).run(command);
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

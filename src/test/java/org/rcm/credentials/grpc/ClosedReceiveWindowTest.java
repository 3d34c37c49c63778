package org.rcm.credentials.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * A call whose answer cannot be sent yet is still run and answered: here the client's HTTP/2
 * client grants no receive window to its streams (SETTINGS_INITIAL_WINDOW_SIZE 0, which gRPC
 * clients cannot ask for, hence a plain HTTP/2 client), so no call's stream is ever writable.
 * Without {@link CallStartInterceptor} such a call was never started: no handler, no audit row,
 * no answer, the way thousands of calls went unanswered in the benchmark after a database stall.
 * Its answer here (NOT_FOUND) is trailers only, which flow control does not hold back.
 */
@QuarkusTest
class ClosedReceiveWindowTest {

    private static final int GRPC_NOT_FOUND = 5;

    @Test
    void aCallIsRunAndAnsweredWhileItsStreamCannotTakeData() throws Exception {
        TestIdentity worker = TestIdentity.TENANT_A_WORKER;
        String portal = "closed-window-" + UUID.randomUUID();
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel connection = connect(group, worker);
            CompletableFuture<Http2Headers> trailers = new CompletableFuture<>();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(new SimpleChannelInboundHandler<Http2HeadersFrame>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
                            if (frame.isEndStream()) {
                                trailers.complete(frame.headers());
                            }
                        }
                    })
                    .open().get(10, TimeUnit.SECONDS);

            stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                    .method("POST")
                    .scheme("https")
                    .authority("localhost:" + TestGrpc.port())
                    .path("/" + CredentialServiceGrpc.getGetCredentialsMethod().getFullMethodName())
                    .add("content-type", "application/grpc")
                    .add("te", "trailers")));
            stream.writeAndFlush(new DefaultHttp2DataFrame(
                    message(GetCredentialsRequest.newBuilder().setPortalId(portal).build().toByteArray()), true));

            Http2Headers answer = trailers.get(20, TimeUnit.SECONDS);
            assertEquals(Integer.toString(GRPC_NOT_FOUND), answer.get("grpc-status").toString());
            assertEquals(1, AuditLog.rows(worker.tenant(), portal).size());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** An HTTP/2 connection over mTLS as {@code identity} that gives every stream a receive window of 0. */
    private static Channel connect(EventLoopGroup group, TestIdentity identity) throws Exception {
        SslContext tls = TestGrpc.sslContext(identity);
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(
                                tls.newHandler(channel.alloc(), "localhost", TestGrpc.port()),
                                Http2FrameCodecBuilder.forClient()
                                        .initialSettings(Http2Settings.defaultSettings().initialWindowSize(0))
                                        .build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("localhost", TestGrpc.port()).sync().channel();
    }

    /** A gRPC length-prefixed message: uncompressed, 4-byte length, the bytes. */
    private static ByteBuf message(byte[] bytes) {
        return Unpooled.buffer(5 + bytes.length).writeByte(0).writeInt(bytes.length).writeBytes(bytes);
    }
}

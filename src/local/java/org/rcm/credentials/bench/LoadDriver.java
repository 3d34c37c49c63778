package org.rcm.credentials.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Channel;
import io.grpc.InternalChannelz;
import io.grpc.InternalChannelz.ChannelStats;
import io.grpc.InternalChannelz.SocketStats;
import io.grpc.InternalChannelz.TransportStats;
import io.grpc.InternalInstrumented;
import io.grpc.InternalWithLogId;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * gRPC load over mTLS on long-lived Netty channels (one TCP connection each): closed loop
 * (a fixed number of calls in flight per connection, for peak throughput), open loop (calls
 * started at a fixed rate, latency measured from each call's intended start, for latency at a
 * given load) and bursts. Latencies are recorded in microseconds in an HdrHistogram.
 */
final class LoadDriver implements AutoCloseable {

    /** Starts one call. {@code slot} is the in-flight slot (closed loop) or the call's sequence number. */
    interface Call {
        ListenableFuture<?> start(Channel channel, int slot);
    }

    /** Told when the measured window opens and closes, to take the server's figures at those moments. */
    interface Window {
        Window NONE = new Window() {
        };

        default void opened() {
        }

        default void closed() {
        }
    }

    /** What one load run measured: calls completed and their latencies within the window; errors of the whole run. */
    record Measurement(Histogram latencyMicros, double seconds, long errors, Map<String, Long> errorsByStatus) {

        long calls() {
            return latencyMicros.getTotalCount();
        }

        double perSecond() {
            return seconds <= 0 ? 0 : calls() / seconds;
        }

        double millis(double percentile) {
            return calls() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** The status recorded for calls still unanswered when a run's drain gives up. */
    static final String NO_ANSWER = "NO_ANSWER";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final List<ManagedChannel> channels;
    private final int port;
    private final int inFlight;

    private LoadDriver(List<ManagedChannel> channels, int port, int inFlight) {
        this.channels = channels;
        this.port = port;
        this.inFlight = inFlight;
    }

    /** Opens {@code connections} channels to {@code port} on localhost, presenting {@code cert}, and connects them. */
    static LoadDriver connect(int port, Path caCert, Path cert, Path key, int connections, int inFlight) {
        SslContext tls;
        try {
            tls = GrpcSslContexts.forClient().trustManager(caCert.toFile()).keyManager(cert.toFile(), key.toFile()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("could not build the client TLS context", e);
        }
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", port)
                    .sslContext(tls)
                    .directExecutor()
                    .userAgent("rcm-bench")
                    .build();
            channel.getState(true);
            channels.add(channel);
        }
        return new LoadDriver(channels, port, inFlight);
    }

    /** The first connection, for set-up calls. */
    Channel channel() {
        return channels.get(0);
    }

    int connections() {
        return channels.size();
    }

    int inFlight() {
        return inFlight;
    }

    /**
     * Each connection to the broker as grpc-java sees it (channelz): streams started, succeeded and
     * failed, messages received, and the HTTP/2 connection windows, {@code local} (what this side
     * may still send) and {@code remote} (what the broker may still send), a line per connection.
     */
    String connectionStates() {
        InternalChannelz channelz = InternalChannelz.instance();
        StringBuilder states = new StringBuilder();
        for (InternalInstrumented<ChannelStats> root : channelz.getRootChannels(0, Integer.MAX_VALUE).channels) {
            ChannelStats channel = stats(root);
            if (!channel.target.endsWith(":" + port)) {
                continue;
            }
            for (InternalWithLogId subchannelId : channel.subchannels) {
                for (InternalWithLogId socketId : stats(channelz.getSubchannel(InternalChannelz.id(subchannelId))).sockets) {
                    SocketStats socket = stats(channelz.getSocket(InternalChannelz.id(socketId)));
                    TransportStats t = socket.data;
                    states.append(String.format(Locale.ROOT,
                            "%s -> %s: streams started %d, succeeded %d, failed %d; messages received %d; window local %d, remote %d%n",
                            socket.local, socket.remote, t.streamsStarted, t.streamsSucceeded, t.streamsFailed,
                            t.messagesReceived, t.localFlowControlWindow, t.remoteFlowControlWindow));
                }
            }
        }
        return states.toString();
    }

    private static <T> T stats(InternalInstrumented<T> instrumented) {
        try {
            return instrumented.getStats().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("channelz did not answer", e);
        }
    }

    /** Keeps every slot busy for {@code warmup + duration}; measures the last {@code duration}. */
    Measurement closedLoop(Call call, Duration warmup, Duration duration, Window window) {
        return closedLoop(call, inFlight, warmup, duration, 0, duration, window);
    }

    /**
     * Keeps {@code perConnection} calls in flight on each connection for {@code warmup} and then a
     * measured window of {@code duration}, extended until {@code minCalls} calls have completed
     * in it or the window reaches {@code maxWindow}, whichever comes first.
     */
    Measurement closedLoop(Call call, int perConnection, Duration warmup, Duration duration, long minCalls,
            Duration maxWindow, Window window) {
        Run run = new Run(call, true);
        for (int slot = 0; slot < channels.size() * perConnection; slot++) {
            run.issue(slot, System.nanoTime());
        }
        sleep(warmup);
        window.opened();
        run.recorder.reset();
        run.measured.reset();
        long from = System.nanoTime();
        run.measuring = true;
        sleep(duration);
        long longest = from + Math.max(duration.toNanos(), maxWindow.toNanos());
        while (run.measured.sum() < minCalls && System.nanoTime() < longest) {
            LockSupport.parkNanos(10_000_000);
        }
        run.measuring = false;
        long to = System.nanoTime();
        window.closed();
        run.stopped = true;
        return run.finish((to - from) / 1e9);
    }

    /**
     * Starts calls at {@code rate} per second for {@code warmup + duration}, round-robin over the
     * connections, and measures those whose intended start falls in the last {@code duration}.
     * Latency counts from the intended start, so a stalled server is not hidden by a waiting client.
     */
    Measurement openLoop(Call call, double rate, Duration warmup, Duration duration, Window window) {
        Run run = new Run(call, false);
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        run.from = start + warmup.toNanos();
        run.to = run.from + duration.toNanos();
        boolean opened = false;
        for (int i = 0; ; i++) {
            long intended = start + i * interval;
            if (intended >= run.to) {
                break;
            }
            if (!opened && intended >= run.from) {
                window.opened();
                opened = true;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            run.issue(i, intended);
        }
        Measurement measurement = run.finish(duration.toNanos() / 1e9);
        window.closed();
        return measurement;
    }

    /** Starts {@code count} calls at once and waits for all of them. */
    Measurement burst(Call call, int count) {
        Run run = new Run(call, false);
        run.from = System.nanoTime();
        run.to = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            run.issue(i, System.nanoTime());
        }
        run.drain();
        return run.finish((System.nanoTime() - run.from) / 1e9);
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One load run: its calls in flight, its recorder and its errors. */
    private final class Run {
        private final Call call;
        private final boolean closedLoop;
        private final Recorder recorder = new Recorder(3);
        private final AtomicInteger outstanding = new AtomicInteger();
        private final LongAdder errors = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final Map<String, LongAdder> errorsByStatus = new ConcurrentHashMap<>();
        private volatile boolean measuring;
        private volatile boolean stopped;
        private long from;
        private long to;

        Run(Call call, boolean closedLoop) {
            this.call = call;
            this.closedLoop = closedLoop;
        }

        void issue(int slot, long startNanos) {
            outstanding.incrementAndGet();
            ListenableFuture<?> future;
            try {
                future = call.start(channels.get(slot % channels.size()), slot);
            } catch (RuntimeException e) {
                future = Futures.immediateFailedFuture(e);
            }
            Futures.addCallback(future, new FutureCallback<Object>() {
                @Override
                public void onSuccess(Object result) {
                    completed(slot, startNanos, null);
                }

                @Override
                public void onFailure(Throwable failure) {
                    completed(slot, startNanos, failure);
                }
            }, MoreExecutors.directExecutor());
        }

        private void completed(int slot, long startNanos, Throwable failure) {
            long end = System.nanoTime();
            if (failure != null) {
                errors.increment();
                errorsByStatus.computeIfAbsent(Status.fromThrowable(failure).getCode().name(), k -> new LongAdder()).increment();
            } else if (closedLoop ? measuring : startNanos >= from && startNanos < to) {
                recorder.recordValue(Math.max(1, (end - startNanos) / 1000));
                measured.increment();
            }
            if (closedLoop && !stopped) {
                issue(slot, System.nanoTime());
            }
            outstanding.decrementAndGet();
        }

        /** Waits (bounded) until every call has ended. */
        void drain() {
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (outstanding.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
        }

        Measurement finish(double seconds) {
            drain();
            Map<String, Long> byStatus = new TreeMap<>();
            errorsByStatus.forEach((code, count) -> byStatus.put(code, count.sum()));
            long stuck = outstanding.get();
            if (stuck > 0) {
                byStatus.put(NO_ANSWER, stuck);
            }
            return new Measurement(recorder.getIntervalHistogram(), seconds, errors.sum() + stuck, byStatus);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

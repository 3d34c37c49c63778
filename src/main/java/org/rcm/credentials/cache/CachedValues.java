package org.rcm.credentials.cache;

import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;

/** Small helpers over the Quarkus cache shared by the broker's caches. */
public final class CachedValues {

    private CachedValues() {
    }

    /**
     * The value under {@code key} if it is loaded already, else null. Hits skip the reactive
     * machinery of {@code getAsync} (a context switch per call); misses and loads in progress
     * go through it, so that concurrent misses still share one load.
     */
    @SuppressWarnings("unchecked")
    public static <V> V ifLoaded(CaffeineCache cache, String key) {
        CompletableFuture<Object> entry = cache.getIfPresent(key);
        if (entry == null || !entry.isDone() || entry.isCompletedExceptionally()) {
            return null;
        }
        return (V) entry.join();
    }

    /** Cache invalidations complete synchronously; subscribing runs them. */
    public static void run(Uni<Void> invalidation) {
        invalidation.subscribe().with(ignored -> { });
    }
}

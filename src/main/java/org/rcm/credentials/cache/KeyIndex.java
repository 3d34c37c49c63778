package org.rcm.credentials.cache;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The local keys of a cache by the hash that invalidation messages carry
 * ({@link CacheKeys#hash}), so that a message costs the keys of its hash, not a hash of every
 * key in the cache.
 *
 * <p>The index holds every key that is cached, and perhaps a few more: a key is added before
 * its entry is inserted (from inside the cache's loader, or just before a put), and
 * {@link #take} removes a hash's keys before the caller invalidates their entries, so a load
 * that starts in between adds its key again. Keys whose entries have expired, been evicted or
 * been invalidated locally stay until a prune, which runs when the index has doubled since the
 * last one (amortised O(1) per key added) and drops the keys that {@code cached} no longer
 * finds. A key added less than {@code grace} ago is kept: its entry may be being inserted.
 */
public final class KeyIndex {

    static final Duration GRACE = Duration.ofSeconds(10);
    private static final int MIN_PRUNE_SIZE = 1024;

    /** Hash to its keys and when each was added (nanoTime); a hash's map is only touched inside compute. */
    private final ConcurrentHashMap<String, Map<String, Long>> keysByHash = new ConcurrentHashMap<>();
    private final Predicate<String> cached;
    private final long graceNanos;
    private final AtomicBoolean pruning = new AtomicBoolean();
    private volatile long pruneAbove = MIN_PRUNE_SIZE;

    /** {@code cached} tells whether a key still has an entry in the indexed cache(s). */
    public KeyIndex(Predicate<String> cached) {
        this(cached, GRACE);
    }

    KeyIndex(Predicate<String> cached, Duration grace) {
        this.cached = cached;
        this.graceNanos = grace.toNanos();
    }

    /** Records a key whose entry is about to be inserted. */
    public void add(String key) {
        long now = System.nanoTime();
        keysByHash.compute(CacheKeys.hash(key), (hash, keys) -> {
            Map<String, Long> updated = keys == null ? new HashMap<>(2) : keys;
            updated.put(key, now);
            return updated;
        });
        if (keysByHash.mappingCount() > pruneAbove) {
            prune();
        }
    }

    /** Removes and returns the keys of {@code hash}, for the caller to invalidate. */
    public Set<String> take(String hash) {
        Map<String, Long> keys = keysByHash.remove(hash);
        return keys == null ? Set.of() : keys.keySet();
    }

    /** Forgets every key; the caller then invalidates the whole cache. */
    public void clear() {
        keysByHash.clear();
    }

    /** Hashes in the index. */
    long size() {
        return keysByHash.mappingCount();
    }

    /** Drops the keys whose entries are gone, once at a time; the next prune waits until the index has doubled. */
    void prune() {
        if (!pruning.compareAndSet(false, true)) {
            return;
        }
        try {
            long now = System.nanoTime();
            for (String hash : keysByHash.keySet()) {
                keysByHash.computeIfPresent(hash, (h, keys) -> {
                    keys.entrySet().removeIf(key -> now - key.getValue() > graceNanos && !cached.test(key.getKey()));
                    return keys.isEmpty() ? null : keys;
                });
            }
            pruneAbove = Math.max(MIN_PRUNE_SIZE, 2 * keysByHash.mappingCount());
        } finally {
            pruning.set(false);
        }
    }
}

package org.rcm.credentials.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hash-to-keys index over a real Caffeine cache: what an invalidation message finds, and how the index stays bounded. */
class KeyIndexTest {

    private static final String ARN = "arn:aws:ssm:us-east-1:000000000000:parameter/rcm/dev/tenant-a/portal-1";

    private final Cache<String, String> cache = Caffeine.newBuilder().build();

    @Test
    void invalidationFindsExactlyTheKeysOfItsHash() {
        KeyIndex index = new KeyIndex(key -> cache.getIfPresent(key) != null);
        List<String> keys = List.of(CacheKeys.endpoint("tenant-a", "portal-1"), CacheKeys.endpoint("tenant-a", "portal-2"),
                CacheKeys.secret(ARN, "1"), CacheKeys.secret(ARN, "2"));
        keys.forEach(key -> insert(index, key));

        assertEquals(Set.of(keys.get(2)), index.take(CacheKeys.hash(keys.get(2))));
        assertEquals(Set.of(), index.take(CacheKeys.hash(keys.get(2))), "taken keys leave the index");
        assertEquals(Set.of(keys.get(0)), index.take(CacheKeys.hash(keys.get(0))));
        assertEquals(Set.of(keys.get(1)), index.take(CacheKeys.hash(keys.get(1))));
        assertEquals(Set.of(keys.get(3)), index.take(CacheKeys.hash(keys.get(3))));
        assertEquals(0, index.size());
    }

    @Test
    void keyLoadedAgainAfterAnInvalidationIsFoundByTheNext() {
        KeyIndex index = new KeyIndex(key -> cache.getIfPresent(key) != null);
        String key = CacheKeys.endpoint("tenant-a", "portal-1");
        insert(index, key);
        index.take(CacheKeys.hash(key));
        cache.invalidate(key);

        insert(index, key);

        assertEquals(Set.of(key), index.take(CacheKeys.hash(key)));
    }

    @Test
    void keysOfExpiredEntriesArePrunedAndTheIndexStaysBounded() {
        KeyIndex index = new KeyIndex(key -> cache.getIfPresent(key) != null, Duration.ZERO);
        String live = CacheKeys.secret(ARN, "live");
        insert(index, live);

        for (int i = 0; i < 100_000; i++) {
            // loaded, then expired or evicted: the cache no longer has it
            index.add(CacheKeys.secret(ARN, "gone-" + i));
        }

        assertThat(index.size()).isLessThanOrEqualTo(1025);
        assertEquals(Set.of(live), index.take(CacheKeys.hash(live)));
    }

    @Test
    void keyWhoseEntryIsBeingInsertedSurvivesAPrune() {
        KeyIndex index = new KeyIndex(key -> cache.getIfPresent(key) != null);
        String key = CacheKeys.endpoint("tenant-a", "portal-1");

        index.add(key);
        index.prune();
        cache.put(key, "endpoint");

        assertEquals(Set.of(key), index.take(CacheKeys.hash(key)));
    }

    /** As the caches do it: the index learns the key, then the entry goes in. */
    private void insert(KeyIndex index, String key) {
        index.add(key);
        cache.put(key, "value");
    }
}

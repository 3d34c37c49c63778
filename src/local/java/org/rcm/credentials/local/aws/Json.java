package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Collection;

/** The shared JSON mapper and builders for output documents. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    /** AWS JSON timestamps are epoch seconds with a fraction, e.g. {@code 1700000000.123}. */
    static DecimalNode timestamp(long epochMillis) {
        return DecimalNode.valueOf(BigDecimal.valueOf(epochMillis, 3));
    }
}

package org.rcm.credentials.rotation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.rcm.credentials.error.BrokerException;

/** What a rotation schedule accepts; anything else is INVALID_ARGUMENT and changes nothing. */
final class ScheduleRules {

    static final int DEFAULT_INTERVAL_DAYS = 90;
    static final int MAX_INTERVAL_DAYS = 3650;
    static final int MAX_EMAILS = 10;
    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    /**
     * A plain address: no display name, comments, quotes or spaces, and nothing that could end
     * a mail header (CR, LF, comma, semicolon, angle brackets); a dotted domain.
     */
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private ScheduleRules() {
    }

    /** 1..3650 days; 0 means the default, 90. */
    static int intervalDays(int days) {
        if (days == 0) {
            return DEFAULT_INTERVAL_DAYS;
        }
        if (days < 1 || days > MAX_INTERVAL_DAYS) {
            throw invalid("INVALID_ROTATION_INTERVAL", "rotation_interval_days must be 1.." + MAX_INTERVAL_DAYS
                    + " (0 means " + DEFAULT_INTERVAL_DAYS + ")");
        }
        return days;
    }

    /** Up to 10 distinct plain addresses of at most 254 characters. */
    static List<String> emails(List<String> emails) {
        if (emails.size() > MAX_EMAILS) {
            throw invalid("INVALID_NOTIFICATION_EMAILS", "notification_emails holds at most " + MAX_EMAILS + " addresses");
        }
        List<String> valid = new ArrayList<>(emails.size());
        for (int i = 0; i < emails.size(); i++) {
            String email = emails.get(i);
            if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
                throw invalid("INVALID_NOTIFICATION_EMAILS", "notification_emails[" + i + "] is not a plain e-mail address");
            }
            if (valid.contains(email)) {
                throw invalid("INVALID_NOTIFICATION_EMAILS", "notification_emails[" + i + "] is listed twice");
            }
            valid.add(email);
        }
        return valid;
    }

    /** 1..1000; 0 means 100. */
    static int pageSize(int size) {
        if (size == 0) {
            return DEFAULT_PAGE_SIZE;
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw invalid("INVALID_PAGE_SIZE", "page_size must be 1.." + MAX_PAGE_SIZE + " (0 means " + DEFAULT_PAGE_SIZE + ")");
        }
        return size;
    }

    static BrokerException invalid(String reason, String message) {
        return BrokerException.invalidInput(reason, message);
    }
}

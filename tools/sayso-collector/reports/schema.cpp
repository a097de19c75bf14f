#include "schema.hpp"

#include <utility>

namespace sayso::collector::reports {

namespace {

// The reports' tables as migration step 9 made them; later steps
// (migrations.cpp) add the published columns and take the unrecoded sums away.
// ${...} marks what differs: a generated key, a 64-bit integer, a time and
// its default, and SQLite's WITHOUT ROWID.
const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS device_services (
    name         TEXT PRIMARY KEY,      -- a tablet's name
    service_area TEXT NOT NULL          -- e.g. children-in-care; stamped on each response as it arrives
);
-- Reports (tools/sayso-collector/reports): one row per response and per
-- answer, with everything a report filters on beside it, built from the
-- responses (sealed answers opened with the collector's keys).
CREATE TABLE IF NOT EXISTS report_children (
    id  ${SERIAL},
    key TEXT NOT NULL UNIQUE          -- a case reference, or "response:<id>" when none was given
);
CREATE TABLE IF NOT EXISTS report_responses (
    response_id       TEXT PRIMARY KEY,
    seq               ${BIG} NOT NULL,
    started_at        TEXT NOT NULL,
    month             TEXT NOT NULL,  -- YYYY-MM
    service_area      TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    case_ref          TEXT NOT NULL,
    child             ${BIG} NOT NULL, -- report_children.id
    pack_id           TEXT NOT NULL,
    language          TEXT NOT NULL,
    complete          INTEGER NOT NULL,
    asked_to_talk     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS report_responses_case ON report_responses (case_ref);
-- Counting responses and children by each cut, without sorting (as for report_answers below).
CREATE INDEX IF NOT EXISTS report_responses_child ON report_responses
    (child, complete, month, service_area, visit_type, band, practitioner_code);
CREATE INDEX IF NOT EXISTS report_responses_month ON report_responses
    (month, child, complete, service_area, visit_type, band, practitioner_code);
CREATE INDEX IF NOT EXISTS report_responses_band ON report_responses
    (band, child, complete, month, service_area, visit_type, practitioner_code);
CREATE INDEX IF NOT EXISTS report_responses_visit ON report_responses
    (visit_type, child, complete, month, service_area, band, practitioner_code);
CREATE INDEX IF NOT EXISTS report_responses_area ON report_responses
    (service_area, child, complete, month, visit_type, band, practitioner_code);
CREATE INDEX IF NOT EXISTS report_responses_code ON report_responses
    (practitioner_code, child, complete, month, service_area, visit_type, band);
-- One row per answer to a measure: small, and counted through narrow covering
-- indexes, one for each way the service view groups them.
CREATE TABLE IF NOT EXISTS report_answers (
    measure           TEXT NOT NULL,
    month             TEXT NOT NULL,
    service_area      TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    child             ${BIG} NOT NULL,
    tone              INTEGER,        -- 1 positive, 0 middling, -1 negative; NULL: skipped, or not a rating
    skipped           INTEGER NOT NULL,
    -- 1 on exactly one row of each child for the measure overall, and in each
    -- month, band, visit type, service area and practitioner code: children are
    -- then counted by adding these up, when no other filter applies.
    first_all         INTEGER NOT NULL,
    first_month       INTEGER NOT NULL,
    first_band        INTEGER NOT NULL,
    first_visit       INTEGER NOT NULL,
    first_area        INTEGER NOT NULL,
    first_code        INTEGER NOT NULL
);
-- Each index holds every column a report filters on, so no query reads the
-- table; within each group its rows come ordered by child, so children are
-- counted without sorting.
CREATE INDEX IF NOT EXISTS report_answers_child ON report_answers
    (measure, child, tone, skipped, month, service_area, visit_type, band, practitioner_code, first_all);
CREATE INDEX IF NOT EXISTS report_answers_month ON report_answers
    (measure, month, child, tone, skipped, service_area, visit_type, band, practitioner_code, first_month);
CREATE INDEX IF NOT EXISTS report_answers_band ON report_answers
    (measure, band, child, tone, skipped, month, service_area, visit_type, practitioner_code, first_band);
CREATE INDEX IF NOT EXISTS report_answers_visit ON report_answers
    (measure, visit_type, child, tone, skipped, month, service_area, band, practitioner_code, first_visit);
CREATE INDEX IF NOT EXISTS report_answers_area ON report_answers
    (measure, service_area, child, tone, skipped, month, visit_type, band, practitioner_code, first_area);
CREATE INDEX IF NOT EXISTS report_answers_code ON report_answers
    (measure, practitioner_code, child, tone, skipped, month, service_area, visit_type, band, first_code);
-- The same answers added up by measure, month, service area, visit type and
-- band (at most a few thousand rows a year): the service view reads these
-- when it needs no practitioner code and its children can be added up.
CREATE TABLE IF NOT EXISTS report_cells (
    measure      TEXT NOT NULL,
    month        TEXT NOT NULL,
    service_area TEXT NOT NULL,
    visit_type   TEXT NOT NULL,
    band         TEXT NOT NULL,
    answers      BIGINT NOT NULL,
    positive     BIGINT NOT NULL,
    middling     BIGINT NOT NULL,
    negative     BIGINT NOT NULL,
    skipped      BIGINT NOT NULL,
    other        BIGINT NOT NULL,
    first_all    BIGINT NOT NULL,
    first_month  BIGINT NOT NULL,
    first_band   BIGINT NOT NULL,
    first_visit  BIGINT NOT NULL,
    first_area   BIGINT NOT NULL,
    PRIMARY KEY (measure, month, service_area, visit_type, band)
)${NOROWID};
-- Written answers, for the comments list (the words stay in answers, sealed).
CREATE TABLE IF NOT EXISTS report_comments (
    response_id       TEXT NOT NULL,
    question_id       TEXT NOT NULL,
    month             TEXT NOT NULL,
    service_area      TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    child             ${BIG} NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX IF NOT EXISTS report_comments_month ON report_comments (month);
-- Sealed answers the keys could not open when they were indexed (a key lost):
-- in no figure, and named to admins.
CREATE TABLE IF NOT EXISTS report_unopened (
    response_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    seal_key    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE TABLE IF NOT EXISTS report_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq ${BIG} NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name              TEXT PRIMARY KEY,
    password_hash     TEXT NOT NULL,    -- libsodium crypto_pwhash_str (Argon2id)
    role              TEXT NOT NULL,    -- admin, manager, practitioner
    service_area      TEXT NOT NULL DEFAULT '',
    practitioner_code TEXT NOT NULL DEFAULT '',
    created_at        ${TIME} NOT NULL DEFAULT ${NOW},
    disabled          INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash    TEXT PRIMARY KEY,        -- SHA-256 of the cookie
    user_name  TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at ${BIG} NOT NULL,        -- Unix seconds
    seen_at    ${BIG} NOT NULL
);
CREATE TABLE IF NOT EXISTS families (
    case_ref   TEXT PRIMARY KEY,
    family_ref TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS families_family ON families (family_ref);
CREATE TABLE IF NOT EXISTS we_did (
    seq        ${SERIAL},
    measure    TEXT NOT NULL,
    you_said   TEXT NOT NULL,
    we_did     TEXT NOT NULL,
    created_at ${TIME} NOT NULL DEFAULT ${NOW},
    created_by TEXT NOT NULL
);
)sql";

} // namespace

std::string report_schema(bool postgresql) {
    const std::pair<const char*, const char*> fill[] = {
        {"${SERIAL}", postgresql ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY"},
        {"${BIG}", postgresql ? "BIGINT" : "INTEGER"},
        {"${TIME}", postgresql ? "TIMESTAMPTZ" : "TEXT"},
        {"${NOW}", postgresql ? "now()" : "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"},
        {"${NOROWID}", postgresql ? "" : " WITHOUT ROWID"}};
    std::string sql = kSchema;
    for (const auto& [mark, with] : fill)
        for (std::size_t at; (at = sql.find(mark)) != std::string::npos;)
            sql.replace(at, std::string(mark).size(), with);
    return sql;
}

} // namespace sayso::collector::reports

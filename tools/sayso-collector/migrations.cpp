#include "migrations.hpp"

#include "schema.hpp"

namespace sayso::collector {

namespace {

std::vector<Migration> make() {
    std::vector<Migration> m;
    // 1: the tables of the first release. IF NOT EXISTS: a store made before
    // steps were numbered has them already.
    m.push_back({1, "creating the first tables", R"sql(
CREATE TABLE IF NOT EXISTS collector_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,   -- SHA-256 of the token, hex
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at  TEXT
);
CREATE TABLE IF NOT EXISTS responses (
    seq          INTEGER PRIMARY KEY,   -- arrival order
    id           TEXT NOT NULL UNIQUE,  -- the kiosk's 128-bit id: the idempotency key
    device_name  TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    band         TEXT NOT NULL,
    visit_type   TEXT NOT NULL,
    language     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    ended_at     TEXT NOT NULL,
    state        TEXT NOT NULL,
    received_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS answers (
    response_id TEXT NOT NULL REFERENCES responses(id),
    question_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    measure     TEXT NOT NULL,
    skipped     INTEGER NOT NULL,
    options     TEXT NOT NULL,          -- JSON list
    text        TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS enrolments (
    code_hash   TEXT PRIMARY KEY,       -- SHA-256 of the one-time code, hex
    device_name TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at  INTEGER NOT NULL,       -- Unix seconds
    used_at     TEXT,
    device_id   TEXT                    -- the tablet that used it
);
CREATE TABLE IF NOT EXISTS audit (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    event   TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);
)sql",
                 R"sql(
CREATE TABLE IF NOT EXISTS collector_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    name        TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS responses (
    seq          BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    device_name  TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    band         TEXT NOT NULL,
    visit_type   TEXT NOT NULL,
    language     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    ended_at     TEXT NOT NULL,
    state        TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS answers (
    response_id TEXT NOT NULL REFERENCES responses(id),
    question_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    measure     TEXT NOT NULL,
    skipped     BOOLEAN NOT NULL,
    options     TEXT NOT NULL,
    text        TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE TABLE IF NOT EXISTS enrolments (
    code_hash   TEXT PRIMARY KEY,
    device_name TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  BIGINT NOT NULL,
    used_at     TIMESTAMPTZ,
    device_id   TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    seq     BIGSERIAL PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    event   TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);
)sql"});
    // Columns added since, in the order they came.
    auto column = [&m](const char* table, const char* name, const char* sqlite_type, const char* pg_type) {
        const int v = static_cast<int>(m.size()) + 1;
        const std::string add = std::string("ALTER TABLE ") + table + " ADD COLUMN " + name + " ";
        m.push_back({v, std::string("adding ") + table + "." + name, add + sqlite_type, add + pg_type, table, name});
    };
    column("responses", "asked_to_talk", "INTEGER NOT NULL DEFAULT 0", "BOOLEAN NOT NULL DEFAULT false");
    column("responses", "practitioner_code", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("responses", "case_ref", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("answers", "sealed", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("answers", "seal_key", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("responses", "service_area", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    // The tablet's device id when it enrolled; NULL for a hand-made token.
    column("devices", "device_id", "TEXT", "TEXT");
    // The reports' tables (reports/schema.cpp), IF NOT EXISTS for the same reason as step 1.
    // (Its indexes name columns a later step drops, so a store that has the tables took it.)
    m.push_back({static_cast<int>(m.size()) + 1, "creating the reports' tables", reports::report_schema(false),
                 reports::report_schema(true), "report_unopened", "reason"});
    // 10: where each finest cell's rows are published (reports/recode.hpp).
    const char* recode = R"sql(
CREATE TABLE report_recode (
    measure           TEXT NOT NULL,    -- '' for the responses themselves
    month             TEXT NOT NULL,
    service_area      TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    p_month           TEXT NOT NULL,    -- as published: the value, or '*' kept together with others
    p_visit           TEXT NOT NULL,
    p_band            TEXT NOT NULL,
    p_code            TEXT NOT NULL,
    counted           INTEGER NOT NULL, -- 0: too few such children yet, in no figure
    PRIMARY KEY (measure, month, service_area, visit_type, band, practitioner_code)
);
CREATE TABLE report_recode_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,          -- report_state.last_seq when it was made
    min_group INTEGER NOT NULL
);
)sql";
    // (A store made before steps were numbered and found to have the state's min_group took this step.)
    m.push_back({static_cast<int>(m.size()) + 1, "creating the reports' recoding tables", recode, recode,
                 "report_recode_state", "min_group"});
    // 11: the recoding kept on the rows themselves, and frozen (reports/recode.hpp): each row says
    // where it is published and whether it counts yet, so a view reads one table and no join.
    std::string published = R"sql(
DROP TABLE report_recode;
DROP TABLE report_recode_state;
CREATE TABLE report_recode (
    month             TEXT NOT NULL,    -- a finest cell
    service_area      TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    p_month           TEXT NOT NULL,    -- where its rows are published: the value, or '*' kept together
    p_visit           TEXT NOT NULL,
    p_band            TEXT NOT NULL,
    p_code            TEXT NOT NULL,
    PRIMARY KEY (service_area, month, visit_type, band, practitioner_code)
);
CREATE TABLE report_recode_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,          -- report_state.last_seq when the recoding last ran
    month     TEXT NOT NULL,            -- the month it ran in (months before it are closed)
    min_group INTEGER NOT NULL          -- the largest ever asked for
);
)sql";
    for (const char* table : {"report_responses", "report_answers", "report_comments"}) {
        for (const char* col : {"p_month", "p_visit", "p_band", "p_code"})
            published += std::string("ALTER TABLE ") + table + " ADD COLUMN " + col + " TEXT NOT NULL DEFAULT '';\n";
        published += std::string("ALTER TABLE ") + table + " ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;\n";
    }
    published += R"sql(
-- Rows not published yet, found by their finest cell.
CREATE INDEX report_responses_pending ON report_responses
    (service_area, month, visit_type, band, practitioner_code) WHERE counted = 0;
CREATE INDEX report_answers_pending ON report_answers
    (service_area, month, visit_type, band, practitioner_code, measure) WHERE counted = 0;
CREATE INDEX report_comments_pending ON report_comments
    (service_area, month, visit_type, band, practitioner_code) WHERE counted = 0;
-- What the views count, as published: each index holds every column a view
-- filters on and counts, so no query reads the table, and within each group
-- of a breakdown its rows come ordered by child.
CREATE INDEX report_answers_published ON report_answers
    (measure, child, tone, skipped, service_area, p_month, p_visit, p_band, p_code) WHERE counted = 1;
CREATE INDEX report_answers_by_month ON report_answers
    (measure, p_month, child, tone, skipped, service_area, p_visit, p_band, p_code) WHERE counted = 1;
CREATE INDEX report_answers_by_band ON report_answers
    (measure, p_band, child, tone, skipped, service_area, p_month, p_visit, p_code) WHERE counted = 1;
CREATE INDEX report_answers_by_visit ON report_answers
    (measure, p_visit, child, tone, skipped, service_area, p_month, p_band, p_code) WHERE counted = 1;
CREATE INDEX report_answers_by_area ON report_answers
    (measure, service_area, child, tone, skipped, p_month, p_visit, p_band, p_code) WHERE counted = 1;
CREATE INDEX report_answers_by_code ON report_answers
    (measure, p_code, child, tone, skipped, service_area, p_month, p_visit, p_band) WHERE counted = 1;
CREATE INDEX report_responses_published ON report_responses
    (service_area, p_month, p_visit, p_band, p_code, child, complete) WHERE counted = 1;
CREATE INDEX report_responses_of_child ON report_responses
    (child, service_area, p_month, p_visit, p_band) WHERE counted = 1;
-- The finest cells' own indexes and sums went with counting them unrecoded.
DROP INDEX report_responses_child;
DROP INDEX report_responses_month;
DROP INDEX report_responses_band;
DROP INDEX report_responses_visit;
DROP INDEX report_responses_area;
DROP INDEX report_responses_code;
DROP INDEX report_answers_child;
DROP INDEX report_answers_month;
DROP INDEX report_answers_band;
DROP INDEX report_answers_visit;
DROP INDEX report_answers_area;
DROP INDEX report_answers_code;
DROP TABLE report_cells;
ALTER TABLE report_answers DROP COLUMN first_all;
ALTER TABLE report_answers DROP COLUMN first_month;
ALTER TABLE report_answers DROP COLUMN first_band;
ALTER TABLE report_answers DROP COLUMN first_visit;
ALTER TABLE report_answers DROP COLUMN first_area;
ALTER TABLE report_answers DROP COLUMN first_code;
CREATE INDEX report_comments_published ON report_comments (p_month, response_id) WHERE counted = 1;
-- The published answers added up by measure, service area, month, visit type
-- and band (as published: a value or '*'), with how many children each row
-- is the first of in its measure overall, and in its month, band, visit type
-- and service area: a figure set by at most one of those reads these.
CREATE TABLE report_sums (
    measure      TEXT NOT NULL,
    service_area TEXT NOT NULL,
    month        TEXT NOT NULL,
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
    PRIMARY KEY (measure, service_area, month, visit_type, band)
);
-- The same for the published responses.
CREATE TABLE report_response_sums (
    service_area TEXT NOT NULL,
    month        TEXT NOT NULL,
    visit_type   TEXT NOT NULL,
    band         TEXT NOT NULL,
    responses    BIGINT NOT NULL,
    complete     BIGINT NOT NULL,
    first_all    BIGINT NOT NULL,
    first_month  BIGINT NOT NULL,
    first_band   BIGINT NOT NULL,
    first_visit  BIGINT NOT NULL,
    first_area   BIGINT NOT NULL,
    PRIMARY KEY (service_area, month, visit_type, band)
);
-- The recoding's list of what it counts in one run: cells, and '' for their
-- responses or a measure for its answers (empty between runs).
CREATE TABLE report_release (
    service_area      TEXT NOT NULL,
    month             TEXT NOT NULL,
    visit_type        TEXT NOT NULL,
    band              TEXT NOT NULL,
    practitioner_code TEXT NOT NULL,
    measure           TEXT NOT NULL
);
)sql";
    m.push_back({static_cast<int>(m.size()) + 1, "publishing the reports' rows where they are recoded", published,
                 published, "report_answers", "counted"});
    // 12: each answer's pack and version beside it, so a figure says which
    // packs it comes from, and its tone read from that pack
    // (reports/vocabulary.hpp). With report_packs empty, the next index run
    // finds no packs recorded and builds the index again from the stored
    // responses (reports/index.cpp), each cell published where it was.
    const std::string packed = R"sql(
ALTER TABLE report_answers ADD COLUMN pack_id TEXT NOT NULL DEFAULT '';
ALTER TABLE report_answers ADD COLUMN pack_version TEXT NOT NULL DEFAULT '';
CREATE INDEX report_answers_packs ON report_answers (measure, pack_id, pack_version) WHERE counted = 1;
CREATE TABLE report_packs (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    packs TEXT NOT NULL             -- the pack versions tones were read from: "id@version ..." (Vocabulary::fingerprint)
);
)sql";
    m.push_back({static_cast<int>(m.size()) + 1, "filing the reports' answers under their packs", packed, packed,
                 "report_answers", "pack_version"});
    // 13 and 14: a child's drawing or recording with its answer, as delivered (base64; sealed when the answer is).
    column("answers", "clip_type", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("answers", "clip", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    // 15 and 16: "you said, we did" for tablets: which service area an entry
    // is for ('' every area) and the language its words are in. Entries
    // written before, for the poster alone, get no language: no tablet is sent
    // them until an admin adds them again for tablets (publish.cpp).
    column("we_did", "service_area", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    column("we_did", "language", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    // 17: the key what tablets are sent is signed with (publish.hpp): made on
    // first use, one row.
    const char* publish = R"sql(
CREATE TABLE publish_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL,        -- base64, Ed25519
    secret_key TEXT NOT NULL         -- base64, libsodium's 64-byte signing key
);
)sql";
    m.push_back({static_cast<int>(m.size()) + 1, "keeping the key tablets' news is signed with", publish, publish,
                 "publish_key", "public_key"});
    // 18: the visit a response was given in: brothers and sisters answering one after another share it.
    column("responses", "visit_id", "TEXT NOT NULL DEFAULT ''", "TEXT NOT NULL DEFAULT ''");
    // 19: a family's page finds the responses of its children's visits without reading them all.
    const char* visits = "CREATE INDEX IF NOT EXISTS responses_visit ON responses (visit_id) WHERE visit_id <> '';";
    m.push_back({static_cast<int>(m.size()) + 1, "finding responses by their visit", visits, visits, "", ""});
    return m;
}

// One row or none from portable SQL: whether there was one.
Stored<bool> any_row(Store& store, const std::string& sql, const std::vector<Store::Param>& params) {
    auto rows = store.query(sql, params);
    if (!rows) return rows.problem();
    return !rows->empty();
}

Stored<bool> has_table(Store& store, const std::string& table) {
    return any_row(store,
                   store.postgresql() ? "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"
                                        " AND table_name = ?"
                                      : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                   {table});
}

Stored<bool> has_column(Store& store, const std::string& table, const std::string& column) {
    return any_row(store,
                   store.postgresql() ? "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
                                        " AND table_name = ? AND column_name = ?"
                                      : "SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
                   {table, column});
}

} // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = make();
    return all;
}

int latest_schema() {
    return migrations().back().version;
}

Stored<int> schema_of(Store& store) {
    auto numbered = has_table(store, "collector_schema");
    if (!numbered) return numbered.problem();
    if (!*numbered) return 0;
    auto rows = store.query("SELECT max(version) FROM collector_schema", {});
    if (!rows) return rows.problem();
    if (!rows->empty() && !(*rows)[0].empty() && !(*rows)[0][0].empty()) return std::stoi((*rows)[0][0]);
    return 0;
}

Stored<void> migrate(Store& store, int target) {
    // Most opens find nothing to do: said without a write lock.
    auto now = schema_of(store);
    if (!now) return now.problem();
    if (*now >= target && *now <= latest_schema()) return {};
    for (;;) {
        bool done = false;
        // Each step in its own transaction, the version read inside it: two
        // collectors starting at once take each step once.
        auto stepped = store.transaction([&]() -> Stored<void> {
            if (store.postgresql()) {
                // Read committed (whatever the server's default), so the version
                // read after the lock is the one the last holder wrote.
                if (auto isolated = store.script("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); !isolated)
                    return isolated;
                if (auto locked = store.query("SELECT pg_advisory_xact_lock(424242)", {}); !locked)
                    return locked.problem();
            }
            auto at = schema_of(store);
            if (!at) return at.problem();
            if (*at > latest_schema())
                return StoreError{"this store was made by a newer sayso-collector (schema " + std::to_string(*at) +
                                  "; this one knows up to " + std::to_string(latest_schema()) +
                                  "); update sayso-collector"};
            if (*at >= target) {
                done = true;
                return {};
            }
            const Migration& step = migrations()[static_cast<std::size_t>(*at)];
            bool there = false;
            if (!step.column.empty()) {
                auto has = has_column(store, step.table, step.column);
                if (!has) return has.problem();
                there = *has;
            }
            if (!there)
                if (auto ran = store.script(store.postgresql() ? step.postgresql : step.sqlite); !ran)
                    return StoreError{"updating the store's tables (" + step.what + "): " + ran.problem().message};
            if (auto cleared = store.query("DELETE FROM collector_schema", {}); !cleared) return cleared.problem();
            return Stored<void>::problem_of(
                store.query("INSERT INTO collector_schema (version) VALUES (?)", {std::to_string(step.version)}));
        });
        if (!stepped) return stepped;
        if (done) return {};
    }
}

} // namespace sayso::collector

#include "storage/store.hpp"

#include "formats/base64.hpp"
#include "formats/formats.hpp"
#include "tasks/frame_guard.hpp"

#include <ctime>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace sayso::storage {

namespace {

// Ordered schema patches: patch N takes user_version N-1 to N. Never edit a
// released patch; add a new one.
struct Migration {
    int version;
    const char* sql;
};

const Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE device (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE responses (
    id           TEXT PRIMARY KEY,              -- random 128-bit, 32 hex digits
    pack_id      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    band         TEXT NOT NULL,
    visit_type   TEXT NOT NULL,
    language     TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    started_at   INTEGER NOT NULL,              -- ms since the Unix epoch, UTC
    ended_at     INTEGER,
    state        TEXT NOT NULL CHECK (state IN ('in_progress', 'complete', 'incomplete'))
);
CREATE INDEX responses_by_start ON responses(started_at, id);
CREATE TABLE answers (
    response_id TEXT NOT NULL REFERENCES responses(id),
    question_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    measure     TEXT NOT NULL,
    skipped     INTEGER NOT NULL CHECK (skipped IN (0, 1)),
    options     TEXT NOT NULL,                  -- JSON list of chosen option ids
    text        TEXT NOT NULL,                  -- free text, verbatim
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID; -- one b-tree, so an answer's commit writes one page, not two
)sql"},
    {2, R"sql(
-- The outbox: ended responses not yet acknowledged by the collection endpoint.
ALTER TABLE responses ADD COLUMN delivered_at INTEGER; -- ms since the Unix epoch; NULL until acknowledged
CREATE INDEX responses_outbox ON responses(started_at, id)
    WHERE delivered_at IS NULL AND state <> 'in_progress';
)sql"},
    {3, R"sql(
-- A response the endpoint said it will never take is kept, with its reason, and not offered again.
ALTER TABLE responses ADD COLUMN rejected_reason TEXT;
DROP INDEX responses_outbox;
CREATE INDEX responses_outbox ON responses(started_at, id)
    WHERE delivered_at IS NULL AND rejected_reason IS NULL AND state <> 'in_progress';
)sql"},
    {4, R"sql(
-- PINs, as slow salted hashes (argon2id strings), and their lockouts, which outlive a restart.
CREATE TABLE pins (
    role         TEXT PRIMARY KEY CHECK (role IN ('practitioner', 'admin')),
    hash         TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,  -- wrong tries in a row
    locked_until INTEGER NOT NULL DEFAULT 0   -- ms since the Unix epoch
);
)sql"},
    {5, R"sql(
-- "I want to talk to someone", and who the visit was with: a practitioner code
-- and a case reference, both pseudonymous ('' when not given).
ALTER TABLE responses ADD COLUMN asked_to_talk INTEGER NOT NULL DEFAULT 0 CHECK (asked_to_talk IN (0, 1));
ALTER TABLE responses ADD COLUMN practitioner_code TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN case_ref TEXT NOT NULL DEFAULT '';
-- Device settings an admin makes on the tablet (case reference pattern, disabled packs, ...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql"},
    {6, R"sql(
-- Sealed answers: skipped, options and text sealed to the collector's public
-- key (base64 of a libsodium sealed box); the clear columns then hold nothing.
ALTER TABLE answers ADD COLUMN sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE answers ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
)sql"},
    {7, R"sql(
-- Retention finds what was delivered without reading every response.
CREATE INDEX responses_delivered ON responses(delivered_at) WHERE delivered_at IS NOT NULL;
)sql"},
    {8, R"sql(
-- A child's drawing or recording, one per answer: apart from the answers, whose
-- rows stay small. With a collector's key, `data` is the clip's sealed box.
CREATE TABLE clips (
    response_id TEXT NOT NULL REFERENCES responses(id),
    question_id TEXT NOT NULL,
    type        TEXT NOT NULL,                  -- image/png, audio/ogg
    data        BLOB NOT NULL,
    seal_key    TEXT NOT NULL DEFAULT '',       -- the key it was sealed to; '' in the clear
    PRIMARY KEY (response_id, question_id)
);
)sql"},
    {9, R"sql(
-- The visit a response was given in: brothers and sisters answering one after
-- another share it ('' for responses from before).
ALTER TABLE responses ADD COLUMN visit_id TEXT NOT NULL DEFAULT '';
)sql"},
};

// Whether the answers file can't grow: the system said so, its file system has
// no space left for the kiosk, or one of its files has reached the largest
// size this process may write.
bool out_of_space(sqlite3* db) {
    const int e = sqlite3_system_errno(db);
    if (e == ENOSPC || e == EDQUOT || e == EFBIG) return true;
    const char* name = sqlite3_db_filename(db, "main");
    if (!name || !*name) return false;
    const std::filesystem::path file(name);
    struct statvfs fs {};
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    // Blocks kept for root are free to root alone.
    if (statvfs(dir.c_str(), &fs) == 0 && (geteuid() == 0 ? fs.f_bfree : fs.f_bavail) == 0) return true;
    struct rlimit limit {};
    if (getrlimit(RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return false;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file.string() + suffix, ec);
        // A page and its WAL frame header past the limit can't be written.
        if (!ec && size + 65536 + 24 > limit.rlim_cur) return true;
    }
    return false;
}

StorageProblem problem_from(sqlite3* db, int rc, const std::string& what) {
    StorageProblem p;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: p.kind = StorageProblem::Kind::Locked; break;
    case SQLITE_READONLY: p.kind = StorageProblem::Kind::ReadOnly; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: p.kind = StorageProblem::Kind::Corrupt; break;
    case SQLITE_FULL: p.kind = StorageProblem::Kind::DiskFull; break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH: p.kind = StorageProblem::Kind::CannotOpen; break;
    default: p.kind = StorageProblem::Kind::Other; break;
    }
    p.detail = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    // SQLite names only some full-disk failures SQLITE_FULL: growing the WAL
    // index, or a write past the process's file-size limit, is a plain I/O
    // error. The disk itself says which it was, so the admin reads "full".
    if ((rc & 0xff) == SQLITE_IOERR && db && out_of_space(db)) p.kind = StorageProblem::Kind::DiskFull;
    return p;
}

StoreResult<void> exec(sqlite3* db, const char* sql, const std::string& what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return problem_from(db, rc, what);
    return {};
}

// Runs `work` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it or the
// commit fails: all of it is kept, or none.
template <class T>
StoreResult<T> in_transaction(sqlite3* db, const std::string& what, const std::function<StoreResult<T>()>& work) {
    if (auto begun = exec(db, "BEGIN IMMEDIATE", "starting " + what); !begun) return begun.problem();
    StoreResult<T> done = work();
    if (done) {
        auto committed = exec(db, "COMMIT", "committing " + what);
        if (committed) return done;
        done = committed.problem();
    }
    (void)exec(db, "ROLLBACK", "rolling back " + what);
    return done;
}

// Copies the write-ahead log into the file and empties it. SQLite says a
// checkpoint was blocked (by another connection reading or writing) only in
// its result row, so the row is read: "busy" is a problem, not a success.
StoreResult<void> checkpoint(sqlite3* db, const std::string& what) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &raw, nullptr);
    if (rc != SQLITE_OK) return problem_from(db, rc, what);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw, sqlite3_finalize);
    rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW) return problem_from(db, rc, what);
    const int busy = sqlite3_column_int(st.get(), 0);
    const int log = sqlite3_column_int(st.get(), 1), copied = sqlite3_column_int(st.get(), 2);
    if (busy != 0)
        return StorageProblem{StorageProblem::Kind::Locked,
                              what +
                                  ": another connection to the answers file holds its write-ahead log, so it was not"
                                  " emptied (" +
                                  std::to_string(copied) + " of " + std::to_string(log) + " pages copied)"};
    return {};
}

std::string column_text(sqlite3_stmt* s, int i) {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
             : std::string();
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// Runs a prepared statement to completion and leaves it ready for reuse.
int step_done(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

} // namespace

int schema_version() {
    return kMigrations[std::size(kMigrations) - 1].version;
}

void Store::StmtDeleter::operator()(sqlite3_stmt* s) const {
    sqlite3_finalize(s);
}

std::unique_lock<std::mutex> Store::use() const {
    tasks::blocking("the answers database");
    return std::unique_lock(m_);
}

StoreResult<Store::Stmt> Store::prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    Stmt owned(s);
    if (rc != SQLITE_OK) return problem_from(db_, rc, "preparing a statement");
    return owned;
}

namespace {
const StorageProblem kReadOnly{StorageProblem::Kind::ReadOnly, "the database was opened read-only"};
} // namespace

StoreResult<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, Mode mode, const char* vfs) {
    sqlite3* raw = nullptr;
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
    std::unique_ptr<Store> store(new Store(raw));
    if (rc != SQLITE_OK) return problem_from(raw, rc, "opening " + path.string());
    sqlite3_extended_result_codes(raw, 1);
    if (mode == Mode::ReadWrite) {
        // Children's words: readable by the kiosk's user alone. SQLite gives the
        // WAL and shared-memory files the same permissions as the database.
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                     std::filesystem::perm_options::replace, ec);
    }
    // A locked file waits this long before reporting "locked"; short, because
    // the child is waiting on the answer's commit.
    sqlite3_busy_timeout(raw, 500); // ms
    if (mode == Mode::ReadWrite)
        if (auto r = exec(raw, "PRAGMA journal_mode=WAL", "switching to WAL mode"); !r) return r.problem();
    if (auto r = exec(raw, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "setting durability"); !r)
        return r.problem();
    // Deleted answers are overwritten, not left in free pages.
    if (mode == Mode::ReadWrite)
        if (auto r = exec(raw, "PRAGMA secure_delete=ON", "setting secure delete"); !r) return r.problem();
    if (auto r = store->migrate(); !r) return r.problem();
    if (auto r = store->load_device_id(); !r) return r.problem();
    if (mode == Mode::ReadWrite) {
        const std::pair<Stmt*, const char*> kept[] = {
            {&store->insert_response_,
             "INSERT INTO responses (id, pack_id, pack_version, band, visit_type, language, device_id, started_at,"
             " state, practitioner_code, case_ref, visit_id)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'in_progress', ?9, ?10, ?11)"},
            {&store->upsert_answer_,
             "INSERT INTO answers (response_id, question_id, position, kind, measure, skipped, options, text,"
             " answered_at, sealed, seal_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
             " ON CONFLICT (response_id, question_id) DO UPDATE SET position = excluded.position,"
             " kind = excluded.kind, measure = excluded.measure, skipped = excluded.skipped,"
             " options = excluded.options, text = excluded.text, answered_at = excluded.answered_at,"
             " sealed = excluded.sealed, seal_key = excluded.seal_key"},
            {&store->finish_response_,
             "UPDATE responses SET state = ?2, ended_at = ?3 WHERE id = ?1 AND state = 'in_progress'"},
            {&store->flag_talk_, "UPDATE responses SET asked_to_talk = 1 WHERE id = ?1"},
            {&store->upsert_clip_,
             "INSERT INTO clips (response_id, question_id, type, data, seal_key) VALUES (?1, ?2, ?3, ?4, ?5)"},
            {&store->delete_clip_, "DELETE FROM clips WHERE response_id = ?1 AND question_id = ?2"},
        };
        for (const auto& [slot, sql] : kept) {
            auto s = store->prepare(sql);
            if (!s) return s.problem();
            *slot = std::move(*s);
        }
    }
    return store;
}

Store::~Store() {
    insert_response_.reset();
    upsert_answer_.reset();
    finish_response_.reset();
    flag_talk_.reset();
    upsert_clip_.reset();
    delete_clip_.reset();
    sqlite3_close_v2(db_);
}

StoreResult<void> Store::migrate() {
    int have = 0;
    {
        auto s = prepare("PRAGMA user_version");
        if (!s) return s.problem();
        int rc = sqlite3_step(s->get());
        if (rc != SQLITE_ROW) return problem_from(db_, rc, "reading the schema version");
        have = sqlite3_column_int(s->get(), 0);
    }
    if (have > schema_version()) {
        return StorageProblem{StorageProblem::Kind::TooNew, "the database has schema version " + std::to_string(have) +
                                                                "; this Sayso knows up to " +
                                                                std::to_string(schema_version())};
    }
    for (const auto& m : kMigrations) {
        if (m.version <= have) continue;
        const std::string sql = std::string(m.sql) + "PRAGMA user_version = " + std::to_string(m.version) + ";";
        auto updated = in_transaction<void>(db_, "the schema update to version " + std::to_string(m.version),
                                            [&] { return exec(db_, sql.c_str(), "updating the schema"); });
        if (!updated) return updated;
    }
    return {};
}

StoreResult<void> Store::load_device_id() {
    auto sel = prepare("SELECT value FROM device WHERE key = 'device_id'");
    if (!sel) return sel.problem();
    int rc = sqlite3_step(sel->get());
    if (rc == SQLITE_ROW) {
        device_id_ = column_text(sel->get(), 0);
        return {};
    }
    if (rc != SQLITE_DONE) return problem_from(db_, rc, "reading the device id");
    if (sqlite3_db_readonly(db_, "main") == 1) return {}; // a fresh file opened read-only
    auto ins = prepare("INSERT INTO device (key, value) VALUES ('device_id', ?1)");
    if (!ins) return ins.problem();
    device_id_ = flow::random_id();
    bind_text(ins->get(), 1, device_id_);
    if ((rc = step_done(ins->get())) != SQLITE_OK) return problem_from(db_, rc, "saving the device id");
    return {};
}

StoreResult<void> Store::set_seal_key(const std::string& id, const std::string& public_key) {
    const auto held = use();
    if (sodium_init() < 0) return StorageProblem{StorageProblem::Kind::BadSealKey, "libsodium could not start"};
    std::vector<unsigned char> pk;
    if (id.empty() || !formats::from_base64(public_key, pk, crypto_box_PUBLICKEYBYTES))
        return StorageProblem{StorageProblem::Kind::BadSealKey,
                              "the key \"" + id + "\" is not a collector's public key"};
    seal_id_ = id;
    seal_pk_ = std::move(pk);
    sealing_ = true;
    return {};
}

StoreResult<void> Store::begin(const flow::ResponseStart& r) {
    const auto held = use();
    sqlite3_stmt* s = insert_response_.get();
    if (!s) return kReadOnly;
    bind_text(s, 1, r.id);
    bind_text(s, 2, r.pack_id);
    bind_text(s, 3, r.pack_version);
    bind_text(s, 4, r.band);
    bind_text(s, 5, r.visit_type);
    bind_text(s, 6, r.language);
    bind_text(s, 7, device_id_);
    sqlite3_bind_int64(s, 8, r.started_at_ms);
    bind_text(s, 9, r.practitioner_code);
    bind_text(s, 10, r.case_ref);
    bind_text(s, 11, r.visit_id);
    if (int rc = step_done(s); rc != SQLITE_OK) return problem_from(db_, rc, "starting a response");
    return {};
}

StoreResult<void> Store::record(const std::string& response_id, const flow::AnswerRecord& a) {
    const auto held = use();
    sqlite3_stmt* s = upsert_answer_.get();
    if (!s) return kReadOnly;
    bind_text(s, 1, response_id);
    bind_text(s, 2, a.question_id);
    sqlite3_bind_int(s, 3, a.position);
    bind_text(s, 4, a.kind);
    bind_text(s, 5, a.measure);
    sqlite3_bind_int64(s, 9, a.answered_at_ms);
    if (seal_pk_.empty()) {
        sqlite3_bind_int(s, 6, a.skipped ? 1 : 0);
        bind_text(s, 7, nlohmann::json(a.options).dump());
        bind_text(s, 8, a.text);
        bind_text(s, 10, std::string());
        bind_text(s, 11, std::string());
    } else {
        // Sealed in memory; only the box reaches the disk.
        const std::string payload =
            nlohmann::json{{"skipped", a.skipped}, {"options", a.options}, {"text", a.text}}.dump(
                -1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::vector<unsigned char> box(payload.size() + crypto_box_SEALBYTES);
        if (crypto_box_seal(box.data(), reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                            seal_pk_.data()) != 0) {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return StorageProblem{StorageProblem::Kind::Other, "sealing an answer failed"};
        }
        const std::string b64 = formats::to_base64(box.data(), box.size());
        sqlite3_bind_int(s, 6, 0);
        bind_text(s, 7, std::string("[]"));
        bind_text(s, 8, std::string());
        bind_text(s, 10, b64);
        bind_text(s, 11, seal_id_);
    }
    if (a.kind != "draw" && a.kind != "voice") {
        if (int rc = step_done(s); rc != SQLITE_OK) return problem_from(db_, rc, "saving an answer");
        return {};
    }
    // A drawing or a recording: the answer and its clip in one commit, the
    // clip sealed in memory first; a skip or an empty answer leaves no clip.
    std::string clip = a.media;
    if (!seal_pk_.empty() && !clip.empty()) {
        std::string box(clip.size() + crypto_box_SEALBYTES, '\0');
        if (crypto_box_seal(reinterpret_cast<unsigned char*>(box.data()),
                            reinterpret_cast<const unsigned char*>(clip.data()), clip.size(), seal_pk_.data()) != 0) {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return StorageProblem{StorageProblem::Kind::Other, "sealing a clip failed"};
        }
        clip = std::move(box);
    }
    return in_transaction<void>(db_, "saving an answer", [&]() -> StoreResult<void> {
        if (int rc = step_done(s); rc != SQLITE_OK) return problem_from(db_, rc, "saving an answer");
        sqlite3_stmt* c = upsert_clip_.get();
        sqlite3_stmt* d = delete_clip_.get();
        bind_text(d, 1, response_id);
        bind_text(d, 2, a.question_id);
        if (int rc = step_done(d); rc != SQLITE_OK) return problem_from(db_, rc, "saving an answer's clip");
        if (a.skipped || clip.empty()) return {};
        bind_text(c, 1, response_id);
        bind_text(c, 2, a.question_id);
        bind_text(c, 3, a.media_type);
        sqlite3_bind_blob64(c, 4, clip.data(), clip.size(), SQLITE_TRANSIENT);
        bind_text(c, 5, seal_pk_.empty() ? std::string() : seal_id_);
        if (int rc = step_done(c); rc != SQLITE_OK) return problem_from(db_, rc, "saving an answer's clip");
        return {};
    });
}

StoreResult<void> Store::finish(const std::string& response_id, flow::Completion c, std::int64_t ended_at_ms) {
    const auto held = use();
    sqlite3_stmt* s = finish_response_.get();
    if (!s) return kReadOnly;
    bind_text(s, 1, response_id);
    bind_text(s, 2, std::string(c == flow::Completion::Complete ? "complete" : "incomplete"));
    sqlite3_bind_int64(s, 3, ended_at_ms);
    if (int rc = step_done(s); rc != SQLITE_OK) return problem_from(db_, rc, "ending a response");
    return {};
}

StoreResult<void> Store::flag_talk(const std::string& response_id) {
    const auto held = use();
    sqlite3_stmt* s = flag_talk_.get();
    if (!s) return kReadOnly;
    bind_text(s, 1, response_id);
    if (int rc = step_done(s); rc != SQLITE_OK) return problem_from(db_, rc, "keeping a request to talk");
    return {};
}

StoreResult<void> Store::set_language(const std::string& response_id, const std::string& lang) {
    const auto held = use();
    if (!insert_response_) return kReadOnly;
    auto s = prepare("UPDATE responses SET language = ?2 WHERE id = ?1 AND state = 'in_progress'");
    if (!s) return s.problem();
    bind_text(s->get(), 1, response_id);
    bind_text(s->get(), 2, lang);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "saving the language");
    return {};
}

StoreResult<void> Store::set_case_ref(const std::string& response_id, const std::string& case_ref) {
    const auto held = use();
    if (!insert_response_) return kReadOnly;
    auto s = prepare("UPDATE responses SET case_ref = ?2 WHERE id = ?1 AND state = 'in_progress'");
    if (!s) return s.problem();
    bind_text(s->get(), 1, response_id);
    bind_text(s->get(), 2, case_ref);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "saving the choice of name");
    return {};
}

StoreResult<int> Store::close_abandoned() {
    const auto held = use();
    auto s = prepare("UPDATE responses SET state = 'incomplete', ended_at = COALESCE("
                     "(SELECT max(answered_at) FROM answers WHERE response_id = responses.id), started_at)"
                     " WHERE state = 'in_progress'");
    if (!s) return s.problem();
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "closing abandoned responses");
    return sqlite3_changes(db_);
}

namespace {
const char* const kResponseColumns = "SELECT id, pack_id, pack_version, band, visit_type, language, device_id, "
                                     "started_at, ended_at, state, delivered_at, asked_to_talk, practitioner_code, "
                                     "case_ref, rejected_reason, visit_id FROM responses ";
const char* const kWaiting = "WHERE delivered_at IS NULL AND rejected_reason IS NULL AND state <> 'in_progress' ";
} // namespace

StoreResult<void> Store::read_responses(const std::string& sql, int limit,
                                        const std::function<bool(const StoredResponse&)>& each,
                                        const std::function<void(sqlite3_stmt*)>& bind_more) {
    auto responses = prepare(sql.c_str());
    if (!responses) return responses.problem();
    auto answers =
        prepare("SELECT a.question_id, a.position, a.kind, a.measure, a.skipped, a.options, a.text, a.answered_at,"
                " a.sealed, a.seal_key, c.type, c.data, c.seal_key FROM answers a LEFT JOIN clips c"
                " ON c.response_id = a.response_id AND c.question_id = a.question_id"
                " WHERE a.response_id = ?1 ORDER BY a.position");
    if (!answers) return answers.problem();
    sqlite3_stmt* rs = responses->get();
    sqlite3_stmt* as = answers->get();
    if (limit >= 0) sqlite3_bind_int(rs, 1, limit);
    if (bind_more) bind_more(rs);
    int rc;
    while ((rc = sqlite3_step(rs)) == SQLITE_ROW) {
        StoredResponse r;
        r.start.id = column_text(rs, 0);
        r.start.pack_id = column_text(rs, 1);
        r.start.pack_version = column_text(rs, 2);
        r.start.band = column_text(rs, 3);
        r.start.visit_type = column_text(rs, 4);
        r.start.language = column_text(rs, 5);
        r.device_id = column_text(rs, 6);
        r.start.started_at_ms = sqlite3_column_int64(rs, 7);
        if (sqlite3_column_type(rs, 8) != SQLITE_NULL) r.ended_at_ms = sqlite3_column_int64(rs, 8);
        r.state = column_text(rs, 9);
        if (sqlite3_column_type(rs, 10) != SQLITE_NULL) r.delivered_at_ms = sqlite3_column_int64(rs, 10);
        r.asked_to_talk = sqlite3_column_int(rs, 11) != 0;
        r.start.practitioner_code = column_text(rs, 12);
        r.start.case_ref = column_text(rs, 13);
        r.refused_because = column_text(rs, 14);
        r.start.visit_id = column_text(rs, 15);
        bind_text(as, 1, r.start.id);
        int arc;
        while ((arc = sqlite3_step(as)) == SQLITE_ROW) {
            flow::AnswerRecord a;
            a.question_id = column_text(as, 0);
            a.position = sqlite3_column_int(as, 1);
            a.kind = column_text(as, 2);
            a.measure = column_text(as, 3);
            a.skipped = sqlite3_column_int(as, 4) != 0;
            a.options = formats::options_from_json(column_text(as, 5));
            a.text = column_text(as, 6);
            a.answered_at_ms = sqlite3_column_int64(as, 7);
            a.sealed = column_text(as, 8);
            a.seal_key = column_text(as, 9);
            if (sqlite3_column_type(as, 11) != SQLITE_NULL) {
                a.media_type = column_text(as, 10);
                const auto* bytes = static_cast<const char*>(sqlite3_column_blob(as, 11));
                a.media.assign(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(as, 11)));
                if (a.seal_key.empty()) a.seal_key = column_text(as, 12);
            }
            r.answers.push_back(std::move(a));
        }
        sqlite3_reset(as);
        if (arc != SQLITE_DONE) return problem_from(db_, arc, "reading answers");
        if (!each(r)) return {};
    }
    if (rc != SQLITE_DONE) return problem_from(db_, rc, "reading responses");
    return {};
}

StoreResult<std::vector<StoredResponse>> Store::collect(const std::string& sql, int limit,
                                                        const std::function<void(sqlite3_stmt*)>& bind_more) {
    std::vector<StoredResponse> out;
    // Drawings and recordings make responses large: a read stops once it
    // holds more of them than one delivery carries (always one response at least).
    std::size_t clip_bytes = 0;
    auto read = read_responses(
        sql, limit,
        [&](const StoredResponse& r) {
            out.push_back(r);
            for (const auto& a : r.answers)
                clip_bytes += a.media.size();
            return clip_bytes < kOutboxClipBytes;
        },
        bind_more);
    if (!read) return read.problem();
    return out;
}

StoreResult<void> Store::for_each_response(const std::function<bool(const StoredResponse&)>& each) {
    const auto held = use();
    return read_responses(std::string(kResponseColumns) + "ORDER BY started_at, id", -1, each);
}

StoreResult<std::vector<StoredResponse>> Store::outbox(int limit) {
    const auto held = use();
    return collect(std::string(kResponseColumns) + kWaiting + "ORDER BY started_at, id LIMIT ?1", limit);
}

StoreResult<std::vector<StoredResponse>> Store::outbox_after(int limit, std::int64_t after_started_ms,
                                                             const std::string& after_id) {
    const auto held = use();
    return collect(std::string(kResponseColumns) + kWaiting +
                       "AND (started_at, id) > (?2, ?3) ORDER BY started_at, id LIMIT ?1",
                   limit, [&](sqlite3_stmt* s) {
                       sqlite3_bind_int64(s, 2, after_started_ms);
                       bind_text(s, 3, after_id);
                   });
}

StoreResult<std::int64_t> Store::waiting() {
    const auto held = use();
    auto s = prepare((std::string("SELECT count(*) FROM responses ") + kWaiting).c_str());
    if (!s) return s.problem();
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_ROW) return problem_from(db_, rc, "counting undelivered responses");
    return static_cast<std::int64_t>(sqlite3_column_int64(s->get(), 0));
}

StoreResult<Store::Refused> Store::refused() {
    const auto held = use();
    auto s = prepare("SELECT count(*), (SELECT rejected_reason FROM responses WHERE rejected_reason IS NOT NULL"
                     " ORDER BY started_at DESC, id DESC LIMIT 1) FROM responses WHERE rejected_reason IS NOT NULL");
    if (!s) return s.problem();
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_ROW) return problem_from(db_, rc, "counting refused responses");
    return Refused{.count = sqlite3_column_int64(s->get(), 0), .latest = column_text(s->get(), 1)};
}

StoreResult<void> Store::mark_rejected(const std::string& id, const std::string& reason) {
    const auto held = use();
    auto s = prepare("UPDATE responses SET rejected_reason = ?2 WHERE id = ?1 AND delivered_at IS NULL");
    if (!s) return s.problem();
    bind_text(s->get(), 1, id);
    bind_text(s->get(), 2, reason.empty() ? std::string("refused by the server") : reason);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "marking a response refused");
    return {};
}

StoreResult<int> Store::mark_delivered(const std::vector<std::string>& ids, std::int64_t at_ms) {
    const auto held = use();
    auto s = prepare("UPDATE responses SET delivered_at = ?2"
                     " WHERE id = ?1 AND delivered_at IS NULL AND state <> 'in_progress'");
    if (!s) return s.problem();
    // One commit for the whole acknowledgement: a batch is marked all or nothing.
    return in_transaction<int>(db_, "marking responses delivered", [&]() -> StoreResult<int> {
        int marked = 0;
        for (const auto& id : ids) {
            bind_text(s->get(), 1, id);
            sqlite3_bind_int64(s->get(), 2, at_ms);
            if (int rc = step_done(s->get()); rc != SQLITE_OK)
                return problem_from(db_, rc, "marking a response delivered");
            marked += sqlite3_changes(db_);
        }
        return marked;
    });
}

StoreResult<std::optional<PinRecord>> Store::pin(const std::string& role) {
    const auto held = use();
    auto s = prepare("SELECT hash, failures, locked_until FROM pins WHERE role = ?1");
    if (!s) return s.problem();
    bind_text(s->get(), 1, role);
    int rc = sqlite3_step(s->get());
    if (rc == SQLITE_ROW)
        return std::optional<PinRecord>(PinRecord{.hash = column_text(s->get(), 0),
                                                  .failures = sqlite3_column_int(s->get(), 1),
                                                  .locked_until_ms = sqlite3_column_int64(s->get(), 2)});
    if (rc != SQLITE_DONE) return problem_from(db_, rc, "reading a PIN");
    return std::optional<PinRecord>();
}

StoreResult<void> Store::set_pin(const std::string& role, const std::string& hash) {
    const auto held = use();
    auto s = prepare("INSERT INTO pins (role, hash) VALUES (?1, ?2) ON CONFLICT (role) DO UPDATE"
                     " SET hash = excluded.hash, failures = 0, locked_until = 0");
    if (!s) return s.problem();
    bind_text(s->get(), 1, role);
    bind_text(s->get(), 2, hash);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "saving a PIN");
    return {};
}

StoreResult<void> Store::set_pin_lockout(const std::string& role, int failures, std::int64_t until_ms) {
    const auto held = use();
    auto s = prepare("UPDATE pins SET failures = ?2, locked_until = ?3 WHERE role = ?1");
    if (!s) return s.problem();
    bind_text(s->get(), 1, role);
    sqlite3_bind_int(s->get(), 2, failures);
    sqlite3_bind_int64(s->get(), 3, until_ms);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "saving a PIN lockout");
    return {};
}

StoreResult<std::optional<std::string>> Store::setting(const std::string& key) {
    const auto held = use();
    auto s = prepare("SELECT value FROM settings WHERE key = ?1");
    if (!s) return s.problem();
    bind_text(s->get(), 1, key);
    int rc = sqlite3_step(s->get());
    if (rc == SQLITE_ROW) return std::optional<std::string>(column_text(s->get(), 0));
    if (rc != SQLITE_DONE) return problem_from(db_, rc, "reading a setting");
    return std::optional<std::string>();
}

StoreResult<void> Store::set_setting(const std::string& key, const std::optional<std::string>& value) {
    const auto held = use();
    auto s = prepare(value ? "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                           : "DELETE FROM settings WHERE key = ?1");
    if (!s) return s.problem();
    bind_text(s->get(), 1, key);
    if (value) bind_text(s->get(), 2, *value);
    if (int rc = step_done(s->get()); rc != SQLITE_OK) return problem_from(db_, rc, "saving a setting");
    return {};
}

StoreResult<void> Store::allow_redone_commits() {
    const auto held = use();
    return exec(db_, "PRAGMA synchronous=NORMAL", "setting delivery's durability");
}

StoreResult<int> Store::purge_delivered(std::int64_t before_ms, int at_most) {
    const auto held = use();
    auto which = prepare("SELECT id FROM responses WHERE delivered_at IS NOT NULL AND delivered_at <= ?1"
                         " ORDER BY delivered_at LIMIT ?2");
    if (!which) return which.problem();
    auto a = prepare("DELETE FROM answers WHERE response_id = ?1");
    if (!a) return a.problem();
    auto c = prepare("DELETE FROM clips WHERE response_id = ?1");
    if (!c) return c.problem();
    auto r = prepare("DELETE FROM responses WHERE id = ?1");
    if (!r) return r.problem();
    return in_transaction<int>(db_, "deleting delivered responses", [&]() -> StoreResult<int> {
        sqlite3_bind_int64(which->get(), 1, before_ms);
        sqlite3_bind_int(which->get(), 2, at_most > 0 ? at_most : -1); // -1: no limit
        std::vector<std::string> ids;
        int rc;
        while ((rc = sqlite3_step(which->get())) == SQLITE_ROW)
            ids.push_back(column_text(which->get(), 0));
        if (rc != SQLITE_DONE) return problem_from(db_, rc, "finding delivered responses");
        for (const auto& id : ids) {
            bind_text(a->get(), 1, id);
            bind_text(c->get(), 1, id);
            bind_text(r->get(), 1, id);
            rc = step_done(a->get());
            if (rc == SQLITE_OK) rc = step_done(c->get());
            if (rc == SQLITE_OK) rc = step_done(r->get());
            if (rc != SQLITE_OK) return problem_from(db_, rc, "deleting delivered responses");
        }
        return static_cast<int>(ids.size());
    });
}

StoreResult<int> Store::count_talk_requests(std::int64_t since_ms) {
    const auto held = use();
    auto s = prepare("SELECT count(*) FROM responses WHERE asked_to_talk = 1 AND started_at >= ?1");
    if (!s) return s.problem();
    sqlite3_bind_int64(s->get(), 1, since_ms);
    int rc = sqlite3_step(s->get());
    if (rc != SQLITE_ROW) return problem_from(db_, rc, "counting requests to talk");
    return sqlite3_column_int(s->get(), 0);
}

StoreResult<void> Store::wipe() {
    if (auto erased = erase_all(); !erased) return erased;
    return compact();
}

StoreResult<void> Store::erase_all() {
    const auto held = use();
    if (!insert_response_) return kReadOnly;
    if (auto r = exec(db_, "PRAGMA secure_delete = ON", "preparing to wipe"); !r) return r;
    auto erased = in_transaction<void>(db_, "the wipe", [&] {
        return exec(db_,
                    "DELETE FROM clips; DELETE FROM answers; DELETE FROM responses; DELETE FROM pins;"
                    " DELETE FROM settings;"
                    " DELETE FROM device;",
                    "wiping");
    });
    if (!erased) return erased;
    device_id_.clear(); // the new one is made by compact(), first
    return {};
}

StoreResult<void> Store::compact() {
    const auto held = use();
    if (!insert_response_) return kReadOnly;
    // A new device id at once, whatever happens to the compaction.
    if (device_id_.empty())
        if (auto made = load_device_id(); !made) return made;
    // Old pages may linger in the WAL and in free pages: rewrite the file,
    // and fail (the admin can wipe again) if another connection kept the log.
    if (auto r = checkpoint(db_, "emptying the log before compacting"); !r) return r;
    if (auto r = exec(db_, "VACUUM", "compacting"); !r) return r;
    return checkpoint(db_, "emptying the log after compacting");
}

std::string iso_time(std::int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

} // namespace sayso::storage

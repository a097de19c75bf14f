#include "store.hpp"

#include "formats/formats.hpp"
#include "migrations.hpp"

#include <mutex>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace sayso::collector {

namespace {

struct Stmt {
    sqlite3_stmt* s = nullptr;
    ~Stmt() { sqlite3_finalize(s); }
};

std::string col(sqlite3_stmt* s, int i) {
    auto* t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : "";
}

void text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

class SqliteStore final : public Store {
  public:
    explicit SqliteStore(sqlite3* db) : db_(db) {}
    ~SqliteStore() override { sqlite3_close_v2(db_); }

    Stored<void> init(int schema) {
        sqlite3_busy_timeout(db_, 10'000); // ms: several collector processes may share the file
        // Reports sort and count large tables: their temporary work stays in memory.
        if (!exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                  " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"))
            return error("setup");
        return migrate(*this, schema == kLatestSchema ? latest_schema() : schema);
    }

    Stored<std::vector<std::string>> insert(const std::string& device_name,
                                            const std::vector<Response>& batch) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        std::vector<std::string> stored;
        Stmt r, a;
        if (!prepare("INSERT INTO responses (id, device_name, device_id, pack_id, pack_version, band, visit_type,"
                     " language, started_at, ended_at, state, asked_to_talk, practitioner_code, case_ref, service_area,"
                     " visit_id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                     " COALESCE((SELECT service_area FROM device_services WHERE name = ?2), ''), ?15)"
                     " ON CONFLICT (id) DO NOTHING",
                     r) ||
            !prepare(
                "INSERT INTO answers (response_id, question_id, position, kind, measure, skipped, options, text,"
                " answered_at, sealed, seal_key, clip_type, clip) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"
                " ON CONFLICT DO NOTHING",
                a))
            return error("preparing");
        auto done_all = transaction([&]() -> Stored<void> {
            for (const auto& x : batch) {
                text(r.s, 1, x.id);
                text(r.s, 2, device_name);
                text(r.s, 3, x.device_id);
                text(r.s, 4, x.pack_id);
                text(r.s, 5, x.pack_version);
                text(r.s, 6, x.band);
                text(r.s, 7, x.visit_type);
                text(r.s, 8, x.language);
                text(r.s, 9, x.started_at);
                text(r.s, 10, x.ended_at);
                text(r.s, 11, x.state);
                sqlite3_bind_int(r.s, 12, x.asked_to_talk ? 1 : 0);
                text(r.s, 13, x.practitioner_code);
                text(r.s, 14, x.case_ref);
                text(r.s, 15, x.visit_id);
                if (!done(r.s)) return error("storing a response");
                const bool fresh = sqlite3_changes(db_) == 1;
                // A response already held keeps the answers it arrived with.
                if (fresh)
                    for (const auto& ans : x.answers) {
                        text(a.s, 1, x.id);
                        text(a.s, 2, ans.question_id);
                        sqlite3_bind_int(a.s, 3, ans.position);
                        text(a.s, 4, ans.kind);
                        text(a.s, 5, ans.measure);
                        sqlite3_bind_int(a.s, 6, ans.skipped ? 1 : 0);
                        text(a.s, 7, nlohmann::json(ans.options).dump());
                        text(a.s, 8, ans.text);
                        text(a.s, 9, ans.answered_at);
                        text(a.s, 10, ans.sealed);
                        text(a.s, 11, ans.seal_key);
                        text(a.s, 12, ans.clip_type);
                        text(a.s, 13, ans.clip);
                        if (!done(a.s)) return error("storing an answer");
                    }
                stored.push_back(x.id);
            }
            return {};
        });
        if (!done_all) return done_all.problem(); // rolled back: none of them is held
        return stored;
    }

    Stored<std::set<std::string>> seal_key_ids() override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        std::set<std::string> ids;
        Stmt s;
        if (!prepare("SELECT DISTINCT seal_key FROM answers WHERE seal_key <> ''", s)) return error("preparing");
        int rc;
        while ((rc = sqlite3_step(s.s)) == SQLITE_ROW)
            ids.insert(col(s.s, 0));
        if (rc != SQLITE_DONE) return error("reading key ids");
        return ids;
    }

    Stored<void> audit(const std::string& event, const std::string& subject, const std::string& detail) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("INSERT INTO audit (event, subject, detail) VALUES (?1, ?2, ?3)", s)) return error("preparing");
        text(s.s, 1, event);
        text(s.s, 2, subject);
        text(s.s, 3, detail);
        if (!done(s.s)) return error("writing the audit log");
        return {};
    }

    Stored<void> for_each_audit(const std::function<bool(const AuditEntry&)>& each) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("SELECT at, event, subject, detail FROM audit ORDER BY seq", s)) return error("preparing");
        int rc;
        while ((rc = sqlite3_step(s.s)) == SQLITE_ROW)
            if (!each(AuditEntry{col(s.s, 0), col(s.s, 1), col(s.s, 2), col(s.s, 3)})) return {};
        if (rc != SQLITE_DONE) return error("reading the audit log");
        return {};
    }

    Stored<void> add_device(const std::string& name, const std::string& hash) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("INSERT INTO devices (name, token_hash) VALUES (?1, ?2)"
                     " ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL,"
                     " device_id = NULL, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                     s))
            return error("preparing");
        text(s.s, 1, name);
        text(s.s, 2, hash);
        if (!done(s.s)) return error("adding a device");
        return {};
    }

    Stored<bool> revoke_device(const std::string& name) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("UPDATE devices SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                     " WHERE name = ?1 AND revoked_at IS NULL",
                     s))
            return error("preparing");
        text(s.s, 1, name);
        if (!done(s.s)) return error("revoking a device");
        return sqlite3_changes(db_) == 1;
    }

    Stored<DeviceToken> device_for(const std::string& hash) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        DeviceToken out;
        Stmt s;
        if (!prepare("SELECT name, revoked_at IS NOT NULL, COALESCE(device_id, '') FROM devices WHERE token_hash = ?1",
                     s))
            return error("preparing");
        text(s.s, 1, hash);
        int rc = sqlite3_step(s.s);
        if (rc == SQLITE_ROW) {
            out.revoked = sqlite3_column_int(s.s, 1) != 0;
            if (!out.revoked) out.name = col(s.s, 0);
            out.device_id = col(s.s, 2);
        } else if (rc != SQLITE_DONE) {
            return error("looking up a token");
        }
        return out;
    }

    Stored<std::vector<Row>> query(const std::string& sql, const std::vector<Param>& params) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        std::vector<Row> rows;
        Stmt s;
        if (!prepare(sql.c_str(), s)) return error("preparing a report query");
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (params[i])
                text(s.s, static_cast<int>(i + 1), *params[i]);
            else
                sqlite3_bind_null(s.s, static_cast<int>(i + 1));
        }
        int rc;
        const int n = sqlite3_column_count(s.s);
        while ((rc = sqlite3_step(s.s)) == SQLITE_ROW) {
            Row r;
            r.reserve(static_cast<std::size_t>(n));
            for (int c = 0; c < n; ++c)
                r.push_back(col(s.s, c));
            rows.push_back(std::move(r));
        }
        if (rc != SQLITE_DONE) return error("running a report query");
        return rows;
    }

    Stored<void> transaction(const std::function<Stored<void>()>& body) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        if (!exec("BEGIN IMMEDIATE")) return error("starting a transaction");
        auto done_body = body();
        if (!done_body) {
            exec("ROLLBACK");
            return done_body;
        }
        if (!exec("COMMIT")) return rollback("committing");
        return {};
    }

    Stored<void> snapshot(const std::function<Stored<void>()>& body) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        // Deferred: the first read starts a read transaction, and every read after sees the same store.
        if (!exec("BEGIN")) return error("starting a read");
        auto done_body = body();
        if (!done_body || !exec("COMMIT")) exec("ROLLBACK");
        return done_body;
    }

    bool postgresql() const override { return false; }

    Stored<void> script(const std::string& sql) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        if (!exec(sql.c_str())) return error("running");
        return {};
    }

    Stored<void> add_enrolment(const std::string& name, const std::string& code_hash,
                               std::int64_t expires_at) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("INSERT INTO enrolments (code_hash, device_name, expires_at) VALUES (?1, ?2, ?3)", s))
            return error("preparing");
        text(s.s, 1, code_hash);
        text(s.s, 2, name);
        sqlite3_bind_int64(s.s, 3, expires_at);
        if (!done(s.s)) return error("keeping the enrolment code");
        return {};
    }

    Stored<std::optional<std::string>> redeem_enrolment(const std::string& code_hash, const std::string& token_hash,
                                                        const std::string& device_id, std::int64_t now) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        std::optional<std::string> name;
        Stmt use, dev;
        if (!prepare("UPDATE enrolments SET used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), device_id = ?2"
                     " WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?3 RETURNING device_name",
                     use) ||
            !prepare("INSERT INTO devices (name, token_hash, device_id) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL,"
                     " device_id = excluded.device_id, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                     dev))
            return error("preparing");
        // No code, or a used or expired one: nothing changes.
        auto redeemed = transaction([&]() -> Stored<void> {
            text(use.s, 1, code_hash);
            text(use.s, 2, device_id);
            sqlite3_bind_int64(use.s, 3, now);
            int rc = sqlite3_step(use.s);
            std::string got;
            if (rc == SQLITE_ROW) {
                got = col(use.s, 0);
                rc = sqlite3_step(use.s);
            }
            if (rc != SQLITE_DONE) return error("using an enrolment code");
            if (got.empty()) return {};
            text(dev.s, 1, got);
            text(dev.s, 2, token_hash);
            text(dev.s, 3, device_id);
            if (!done(dev.s)) return error("adding a device");
            name = got;
            return {};
        });
        if (!redeemed) return redeemed.problem();
        return name;
    }

    Stored<void> for_each(const std::function<bool(const std::string&, const Response&)>& each) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt r, a;
        if (!prepare("SELECT id, device_name, device_id, pack_id, pack_version, band, visit_type, language,"
                     " started_at, ended_at, state, asked_to_talk, practitioner_code, case_ref, visit_id FROM responses"
                     " ORDER BY seq",
                     r) ||
            !prepare(
                "SELECT question_id, position, kind, measure, skipped, options, text, answered_at, sealed, seal_key,"
                " clip_type, clip FROM answers WHERE response_id = ?1 ORDER BY position",
                a))
            return error("preparing");
        int rc;
        while ((rc = sqlite3_step(r.s)) == SQLITE_ROW) {
            Response x;
            x.id = col(r.s, 0);
            const std::string device = col(r.s, 1);
            x.device_id = col(r.s, 2);
            x.pack_id = col(r.s, 3);
            x.pack_version = col(r.s, 4);
            x.band = col(r.s, 5);
            x.visit_type = col(r.s, 6);
            x.language = col(r.s, 7);
            x.started_at = col(r.s, 8);
            x.ended_at = col(r.s, 9);
            x.state = col(r.s, 10);
            x.asked_to_talk = sqlite3_column_int(r.s, 11) != 0;
            x.practitioner_code = col(r.s, 12);
            x.case_ref = col(r.s, 13);
            x.visit_id = col(r.s, 14);
            text(a.s, 1, x.id);
            while (sqlite3_step(a.s) == SQLITE_ROW) {
                Answer ans;
                ans.question_id = col(a.s, 0);
                ans.position = sqlite3_column_int(a.s, 1);
                ans.kind = col(a.s, 2);
                ans.measure = col(a.s, 3);
                ans.skipped = sqlite3_column_int(a.s, 4) != 0;
                ans.options = formats::options_from_json(col(a.s, 5));
                ans.text = col(a.s, 6);
                ans.answered_at = col(a.s, 7);
                ans.sealed = col(a.s, 8);
                ans.seal_key = col(a.s, 9);
                ans.clip_type = col(a.s, 10);
                ans.clip = col(a.s, 11);
                x.answers.push_back(std::move(ans));
            }
            sqlite3_reset(a.s);
            if (!each(device, x)) break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error("reading responses");
        return {};
    }

    Stored<std::int64_t> count() override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Stmt s;
        if (!prepare("SELECT count(*) FROM responses", s) || sqlite3_step(s.s) != SQLITE_ROW) return error("counting");
        return static_cast<std::int64_t>(sqlite3_column_int64(s.s, 0));
    }

  private:
    sqlite3* db_;
    std::recursive_mutex mu_; // recursive: a report transaction's body runs queries

    bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
    bool prepare(const char* sql, Stmt& s) { return sqlite3_prepare_v2(db_, sql, -1, &s.s, nullptr) == SQLITE_OK; }
    bool done(sqlite3_stmt* s) {
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return rc == SQLITE_DONE;
    }
    StoreError error(const std::string& what) { return {what + ": " + sqlite3_errmsg(db_)}; }
    StoreError rollback(const std::string& what) {
        StoreError e = error(what);
        exec("ROLLBACK");
        return e;
    }
};

} // namespace

Stored<std::unique_ptr<Store>> open_sqlite(const std::string& path, int schema) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    auto store = std::make_unique<SqliteStore>(db);
    if (rc != SQLITE_OK) return StoreError{"can't open " + path + ": " + sqlite3_errmsg(db)};
    if (auto ready = store->init(schema); !ready)
        return StoreError{"can't use " + path + ": " + ready.problem().message};
    return std::unique_ptr<Store>(std::move(store));
}

Stored<std::unique_ptr<Store>> open_store(const std::string& spec, int schema) {
    auto opened = spec.rfind("sqlite:", 0) == 0 && spec.size() > 7 ? open_sqlite(spec.substr(7), schema)
                  : spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0
                      ? open_postgresql(spec, schema)
                      : Stored<std::unique_ptr<Store>>(
                            StoreError{"--store must be sqlite:PATH or postgresql://..., not \"" + spec + "\""});
    if (opened) (*opened)->set_spec(spec);
    return opened;
}

} // namespace sayso::collector

#include "store.hpp"

#include "formats/formats.hpp"
#include "migrations.hpp"
#include "protocol/codec.hpp"

#include <libpq-fe.h>
#include <mutex>
#include <nlohmann/json.hpp>

namespace sayso::collector {

namespace {

struct Result {
    PGresult* r = nullptr;
    explicit Result(PGresult* x) : r(x) {}
    ~Result() { PQclear(r); }
    ExecStatusType status() const { return PQresultStatus(r); }
};

class PgStore final : public Store {
  public:
    explicit PgStore(PGconn* c) : c_(c) {}
    ~PgStore() override { PQfinish(c_); }

    Stored<void> init(int schema) {
        // Several collectors may start at once: each step takes a lock (migrations.cpp).
        return migrate(*this, schema == kLatestSchema ? latest_schema() : schema);
    }

    Stored<std::vector<std::string>> insert(const std::string& device_name,
                                            const std::vector<Response>& batch) override {
        // The whole batch in one statement: one round trip to the server
        // however many responses, each stored at most once. Its rows are
        // written as JSON straight into two strings, before the connection is
        // taken (an nlohmann document per row cost as much as PostgreSQL's
        // own parse of them).
        std::string rj = "[", aj = "[";
        auto field = [](std::string& out, const char* key, std::string_view value) {
            out += '"';
            out += key;
            out += "\":";
            if (value.find('\0') == std::string_view::npos) {
                protocol::append_json_string(out, value);
            } else {
                // PostgreSQL's text can't hold NUL (the whole batch would fail,
                // and be sent again forever): it is kept as U+FFFD.
                std::string kept(value);
                for (std::size_t at; (at = kept.find('\0')) != std::string::npos;)
                    kept.replace(at, 1, "\xEF\xBF\xBD");
                protocol::append_json_string(out, kept);
            }
            out += ',';
        };
        for (const auto& x : batch) {
            if (rj.size() > 1) rj += ',';
            rj += '{';
            field(rj, "id", x.id);
            field(rj, "device_id", x.device_id);
            field(rj, "pack_id", x.pack_id);
            field(rj, "pack_version", x.pack_version);
            field(rj, "band", x.band);
            field(rj, "visit_type", x.visit_type);
            field(rj, "language", x.language);
            field(rj, "started_at", x.started_at);
            field(rj, "ended_at", x.ended_at);
            field(rj, "state", x.state);
            field(rj, "practitioner_code", x.practitioner_code);
            field(rj, "case_ref", x.case_ref);
            field(rj, "visit_id", x.visit_id);
            rj += x.asked_to_talk ? "\"asked_to_talk\":true}" : "\"asked_to_talk\":false}";
            for (const auto& a : x.answers) {
                if (aj.size() > 1) aj += ',';
                aj += '{';
                field(aj, "response_id", x.id);
                field(aj, "question_id", a.question_id);
                field(aj, "kind", a.kind);
                field(aj, "measure", a.measure);
                std::string options = "[";
                for (const auto& o : a.options) {
                    if (options.size() > 1) options += ',';
                    protocol::append_json_string(options, o);
                }
                field(aj, "options", options + "]"); // stored as a JSON list, as the SQLite store keeps it
                field(aj, "text", a.text);
                field(aj, "answered_at", a.answered_at);
                field(aj, "sealed", a.sealed);
                field(aj, "seal_key", a.seal_key);
                field(aj, "clip_type", a.clip_type);
                field(aj, "clip", a.clip);
                aj += "\"skipped\":";
                aj += a.skipped ? "true" : "false";
                aj += ",\"position\":" + std::to_string(a.position) + '}';
            }
        }
        rj += ']';
        aj += ']';
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const char* v[] = {device_name.c_str(), rj.c_str(), aj.c_str()};
        // Collectors sharing the database store one batch at a time (a lock
        // held to the commit), so responses commit in the order of their
        // seq. The report index reads what arrived past the last seq it
        // counted; without this, a batch given a lower seq could commit after
        // a higher one was counted, and never be counted.
        auto stored_all = transaction([&]() -> Stored<void> {
            // A collector that went away mid-batch holds the turn until PostgreSQL
            // notices; the others wait at most this long, answer 503, and the
            // tablets send again.
            Result bounded(PQexec(c_, "SET LOCAL lock_timeout = '10s'"));
            if (bounded.status() != PGRES_COMMAND_OK) return error("bounding the wait for another collector");
            Result turn(PQexec(c_, "SELECT pg_advisory_xact_lock(72976)")); // "sayso" on a telephone keypad
            if (turn.status() != PGRES_TUPLES_OK) return error("waiting for another collector's batch");
            return insert_batch(v);
        });
        if (!stored_all) return stored_all.problem();
        std::vector<std::string> stored;
        for (const auto& x : batch)
            stored.push_back(x.id);
        return stored;
    }

    Stored<void> insert_batch(const char* const v[3]) {
        Result r(PQexecParams(
            c_,
            "WITH batch AS ("
            "  SELECT * FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, device_id text, pack_id text,"
            "    pack_version text, band text, visit_type text, language text, started_at text, ended_at text,"
            "    state text, asked_to_talk boolean, practitioner_code text, case_ref text, visit_id text))"
            "    WITH ORDINALITY AS b(id, device_id, pack_id, pack_version, band, visit_type, language, started_at,"
            "    ended_at, state, asked_to_talk, practitioner_code, case_ref, visit_id, n)"
            "), fresh AS ("
            "  INSERT INTO responses (id, device_name, device_id, pack_id, pack_version, band, visit_type, language,"
            "    started_at, ended_at, state, asked_to_talk, practitioner_code, case_ref, service_area, visit_id)"
            "  SELECT id, $1, device_id, pack_id, pack_version, band, visit_type, language, started_at, ended_at,"
            "    state, asked_to_talk, practitioner_code, case_ref,"
            "    COALESCE((SELECT service_area FROM device_services WHERE name = $1), ''), visit_id"
            "    FROM batch ORDER BY n"
            "  ON CONFLICT (id) DO NOTHING RETURNING id"
            ")"
            " INSERT INTO answers (response_id, question_id, position, kind, measure, skipped, options, text,"
            "   answered_at, sealed, seal_key, clip_type, clip)"
            " SELECT a.response_id, a.question_id, a.position, a.kind, a.measure, a.skipped, a.options, a.text,"
            "   a.answered_at, a.sealed, a.seal_key, a.clip_type, a.clip"
            " FROM jsonb_to_recordset($3::jsonb) AS a(response_id text, question_id text, position integer,"
            "   kind text, measure text, skipped boolean, options text, text text, answered_at text, sealed text,"
            "   seal_key text, clip_type text, clip text)"
            " WHERE a.response_id IN (SELECT id FROM fresh)"
            " ON CONFLICT DO NOTHING",
            3, nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_COMMAND_OK) return error("storing responses");
        return {};
    }

    Stored<std::set<std::string>> seal_key_ids() override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Result r(PQexec(c_, "SELECT DISTINCT seal_key FROM answers WHERE seal_key <> ''"));
        if (r.status() != PGRES_TUPLES_OK) return error("reading key ids");
        std::set<std::string> ids;
        for (int i = 0; i < PQntuples(r.r); ++i)
            ids.insert(PQgetvalue(r.r, i, 0));
        return ids;
    }

    Stored<void> audit(const std::string& event, const std::string& subject, const std::string& detail) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const char* v[] = {event.c_str(), subject.c_str(), detail.c_str()};
        Result r(PQexecParams(c_, "INSERT INTO audit (event, subject, detail) VALUES ($1, $2, $3)", 3, nullptr, v,
                              nullptr, nullptr, 0));
        if (r.status() != PGRES_COMMAND_OK) return error("writing the audit log");
        return {};
    }

    Stored<void> for_each_audit(const std::function<bool(const AuditEntry&)>& each) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Result r(PQexec(c_,
                        "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), event, subject,"
                        " detail FROM audit ORDER BY seq"));
        if (r.status() != PGRES_TUPLES_OK) return error("reading the audit log");
        for (int i = 0; i < PQntuples(r.r); ++i)
            if (!each(AuditEntry{PQgetvalue(r.r, i, 0), PQgetvalue(r.r, i, 1), PQgetvalue(r.r, i, 2),
                                 PQgetvalue(r.r, i, 3)}))
                break;
        return {};
    }

    Stored<void> add_device(const std::string& name, const std::string& hash) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const char* v[] = {name.c_str(), hash.c_str()};
        Result r(PQexecParams(
            c_,
            "INSERT INTO devices (name, token_hash) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
            " SET token_hash = excluded.token_hash, revoked_at = NULL, device_id = NULL, created_at = now()",
            2, nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_COMMAND_OK) return error("adding a device");
        return {};
    }

    Stored<bool> revoke_device(const std::string& name) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const char* v[] = {name.c_str()};
        Result r(PQexecParams(c_, "UPDATE devices SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", 1,
                              nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_COMMAND_OK) return error("revoking a device");
        return std::string(PQcmdTuples(r.r)) == "1";
    }

    Stored<DeviceToken> device_for(const std::string& hash) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const char* v[] = {hash.c_str()};
        Result r(PQexecParams(c_,
                              "SELECT name, revoked_at IS NOT NULL, COALESCE(device_id, '') FROM devices"
                              " WHERE token_hash = $1",
                              1, nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_TUPLES_OK) return error("looking up a token");
        DeviceToken out;
        if (PQntuples(r.r) == 1) {
            out.revoked = std::string(PQgetvalue(r.r, 0, 1)) == "t";
            if (!out.revoked) out.name = PQgetvalue(r.r, 0, 0);
            out.device_id = PQgetvalue(r.r, 0, 2);
        }
        return out;
    }

    Stored<std::vector<Row>> query(const std::string& sql, const std::vector<Param>& params) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        // ? becomes $1, $2...: the reports' SQL has no ? inside its string literals.
        std::string pg;
        int n = 0;
        for (char c : sql) {
            if (c == '?')
                pg += "$" + std::to_string(++n);
            else
                pg += c;
        }
        std::vector<const char*> v;
        for (const auto& p : params)
            v.push_back(p ? p->c_str() : nullptr);
        Result r(PQexecParams(c_, pg.c_str(), static_cast<int>(v.size()), nullptr, v.data(), nullptr, nullptr, 0));
        if (r.status() != PGRES_TUPLES_OK && r.status() != PGRES_COMMAND_OK) return error("running a report query");
        const int cols = PQnfields(r.r);
        std::vector<Row> rows;
        for (int i = 0; i < PQntuples(r.r); ++i) {
            Row row;
            row.reserve(static_cast<std::size_t>(cols));
            for (int c = 0; c < cols; ++c)
                row.emplace_back(PQgetvalue(r.r, i, c));
            rows.push_back(std::move(row));
        }
        return rows;
    }

    Stored<void> transaction(const std::function<Stored<void>()>& body) override {
        return within("BEGIN", "a transaction", body);
    }

    Stored<void> snapshot(const std::function<Stored<void>()>& body) override {
        return within("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "a read", body);
    }

    bool postgresql() const override { return true; }

    Stored<void> script(const std::string& sql) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        if (!command(sql.c_str())) return error("running");
        return {};
    }

    Stored<void> add_enrolment(const std::string& name, const std::string& code_hash,
                               std::int64_t expires_at) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        const std::string exp = std::to_string(expires_at);
        const char* v[] = {code_hash.c_str(), name.c_str(), exp.c_str()};
        Result r(PQexecParams(c_, "INSERT INTO enrolments (code_hash, device_name, expires_at) VALUES ($1, $2, $3)", 3,
                              nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_COMMAND_OK) return error("keeping the enrolment code");
        return {};
    }

    Stored<std::optional<std::string>> redeem_enrolment(const std::string& code_hash, const std::string& token_hash,
                                                        const std::string& device_id, std::int64_t now) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        // One statement, so one transaction: the code is used and the token
        // given together, or neither.
        const std::string t = std::to_string(now);
        const char* v[] = {code_hash.c_str(), device_id.c_str(), t.c_str(), token_hash.c_str()};
        Result r(
            PQexecParams(c_,
                         "WITH used AS ("
                         "  UPDATE enrolments SET used_at = now(), device_id = $2"
                         "  WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $3::bigint RETURNING device_name"
                         "), dev AS ("
                         "  INSERT INTO devices (name, token_hash, device_id) SELECT device_name, $4, $2 FROM used"
                         "  ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL,"
                         "    device_id = excluded.device_id, created_at = now()"
                         ")"
                         " SELECT device_name FROM used",
                         4, nullptr, v, nullptr, nullptr, 0));
        if (r.status() != PGRES_TUPLES_OK) return error("using an enrolment code");
        if (PQntuples(r.r) != 1) return std::optional<std::string>();
        return std::optional<std::string>(PQgetvalue(r.r, 0, 0));
    }

    Stored<void> for_each(const std::function<bool(const std::string&, const Response&)>& each) override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        // Read in pages by arrival order, so an export of millions never holds them all.
        std::string after = "0";
        for (;;) {
            const char* v[] = {after.c_str()};
            Result r(PQexecParams(c_,
                                  "SELECT seq, id, device_name, device_id, pack_id, pack_version, band, visit_type,"
                                  " language, started_at, ended_at, state, asked_to_talk, practitioner_code, case_ref,"
                                  " visit_id FROM responses WHERE seq > $1::bigint"
                                  " ORDER BY seq LIMIT 1000",
                                  1, nullptr, v, nullptr, nullptr, 0));
            if (r.status() != PGRES_TUPLES_OK) return error("reading responses");
            const int n = PQntuples(r.r);
            if (n == 0) return {};
            for (int i = 0; i < n; ++i) {
                Response x;
                after = PQgetvalue(r.r, i, 0);
                x.id = PQgetvalue(r.r, i, 1);
                const std::string device = PQgetvalue(r.r, i, 2);
                x.device_id = PQgetvalue(r.r, i, 3);
                x.pack_id = PQgetvalue(r.r, i, 4);
                x.pack_version = PQgetvalue(r.r, i, 5);
                x.band = PQgetvalue(r.r, i, 6);
                x.visit_type = PQgetvalue(r.r, i, 7);
                x.language = PQgetvalue(r.r, i, 8);
                x.started_at = PQgetvalue(r.r, i, 9);
                x.ended_at = PQgetvalue(r.r, i, 10);
                x.state = PQgetvalue(r.r, i, 11);
                x.asked_to_talk = std::string(PQgetvalue(r.r, i, 12)) == "t";
                x.practitioner_code = PQgetvalue(r.r, i, 13);
                x.case_ref = PQgetvalue(r.r, i, 14);
                x.visit_id = PQgetvalue(r.r, i, 15);
                const char* av[] = {x.id.c_str()};
                Result a(PQexecParams(c_,
                                      "SELECT question_id, position, kind, measure, skipped, options, text,"
                                      " answered_at, sealed, seal_key, clip_type, clip FROM answers"
                                      " WHERE response_id = $1"
                                      " ORDER BY position",
                                      1, nullptr, av, nullptr, nullptr, 0));
                if (a.status() != PGRES_TUPLES_OK) return error("reading answers");
                for (int k = 0; k < PQntuples(a.r); ++k) {
                    Answer ans;
                    ans.question_id = PQgetvalue(a.r, k, 0);
                    ans.position = std::atoi(PQgetvalue(a.r, k, 1));
                    ans.kind = PQgetvalue(a.r, k, 2);
                    ans.measure = PQgetvalue(a.r, k, 3);
                    ans.skipped = std::string(PQgetvalue(a.r, k, 4)) == "t";
                    ans.options = formats::options_from_json(PQgetvalue(a.r, k, 5));
                    ans.text = PQgetvalue(a.r, k, 6);
                    ans.answered_at = PQgetvalue(a.r, k, 7);
                    ans.sealed = PQgetvalue(a.r, k, 8);
                    ans.seal_key = PQgetvalue(a.r, k, 9);
                    ans.clip_type = PQgetvalue(a.r, k, 10);
                    ans.clip = PQgetvalue(a.r, k, 11);
                    x.answers.push_back(std::move(ans));
                }
                if (!each(device, x)) return {};
            }
        }
    }

    Stored<std::int64_t> count() override {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        Result r(PQexec(c_, "SELECT count(*) FROM responses"));
        if (r.status() != PGRES_TUPLES_OK) return error("counting");
        return static_cast<std::int64_t>(std::atoll(PQgetvalue(r.r, 0, 0)));
    }

  private:
    PGconn* c_;
    std::recursive_mutex mu_; // recursive: a report transaction's body runs queries

    bool command(const char* sql) {
        Result r(PQexec(c_, sql));
        return r.status() == PGRES_COMMAND_OK;
    }
    StoreError error(const std::string& what) { return {what + ": " + PQerrorMessage(c_)}; }

    // `body` between `begin` and COMMIT, or ROLLBACK when it fails. Never
    // inside another transaction: its COMMIT would end that one.
    Stored<void> within(const char* begin, const std::string& what, const std::function<Stored<void>()>& body) {
        std::lock_guard<std::recursive_mutex> lock(mu_);
        if (PQtransactionStatus(c_) != PQTRANS_IDLE) return StoreError{what + " can't start inside a transaction"};
        Result begun(PQexec(c_, begin));
        if (begun.status() != PGRES_COMMAND_OK) return error("starting " + what);
        auto done_body = body();
        if (!done_body) {
            Result rb(PQexec(c_, "ROLLBACK"));
            return done_body;
        }
        Result commit(PQexec(c_, "COMMIT"));
        if (commit.status() != PGRES_COMMAND_OK) return error("committing " + what);
        return {};
    }
    StoreError rollback(const std::string& what) {
        StoreError e = error(what);
        command("ROLLBACK");
        return e;
    }
};

} // namespace

Stored<std::unique_ptr<Store>> open_postgresql(const std::string& uri, int schema) {
    PGconn* c = PQconnectdb(uri.c_str());
    // "relation already exists, skipping" on every start is noise, not news.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    auto store = std::make_unique<PgStore>(c);
    if (PQstatus(c) != CONNECTION_OK)
        return StoreError{std::string("can't connect to PostgreSQL: ") + PQerrorMessage(c)};
    if (auto ready = store->init(schema); !ready)
        return StoreError{"can't use the PostgreSQL database: " + ready.problem().message};
    return std::unique_ptr<Store>(std::move(store));
}

} // namespace sayso::collector

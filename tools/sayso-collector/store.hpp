// Where the collector keeps what arrives: SQLite (embedded default) or
// PostgreSQL. Both store a response at most once, keyed by its id.
#pragma once

#include "ingest.hpp"
#include "result/result.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sayso::collector {

struct StoreError {
    std::string message;
};
inline std::string describe(const StoreError& e) {
    return e.message;
}
template <class T> using Stored = Result<T, StoreError>;

// A line of the audit log: who was given or lost a token, what was exported.
struct AuditEntry {
    std::string at;      // UTC, ISO 8601
    std::string event;   // token_added, token_revoked, exported
    std::string subject; // the tablet's name, or the export's format
    std::string detail;  // who did it (the operating system user) and anything else worth knowing
};

// What a device token stands for.
struct DeviceToken {
    std::optional<std::string> name; // the tablet, when the token is known and not revoked
    bool revoked = false;            // the token was revoked (a replaced token is simply unknown)
    std::string device_id;           // the device id it enrolled with; empty for a token made by hand
};

class Store {
  public:
    virtual ~Store() = default;

    // What open_store() was given: another connection to the same store can be opened with it.
    const std::string& spec() const { return spec_; }
    void set_spec(std::string spec) { spec_ = std::move(spec); }

    // Stores the responses not stored yet, all in one transaction, and
    // gives every id now held (new and already present).
    virtual Stored<std::vector<std::string>> insert(const std::string& device_name,
                                                    const std::vector<Response>& batch) = 0;

    // Device tokens: only a hash of each is kept.
    virtual Stored<void> add_device(const std::string& name, const std::string& token_hash) = 0;
    // Gives whether the name had a token that was not revoked yet.
    virtual Stored<bool> revoke_device(const std::string& name) = 0;
    // The device holding this token hash (a hand-made token: add_device; an enrolled one: redeem_enrolment).
    virtual Stored<DeviceToken> device_for(const std::string& token_hash) = 0;

    // Enrolment codes: only a hash of each is kept, with the tablet's name and
    // when it stops working (Unix seconds).
    virtual Stored<void> add_enrolment(const std::string& name, const std::string& code_hash,
                                       std::int64_t expires_at) = 0;
    // In one transaction: marks the code used (if it is known, unused and not
    // expired at `now`) and gives its tablet the token hash, replacing any
    // token the name had. Gives the tablet's name, or nothing when the code
    // can't be used.
    virtual Stored<std::optional<std::string>> redeem_enrolment(const std::string& code_hash,
                                                                const std::string& token_hash,
                                                                const std::string& device_id, std::int64_t now) = 0;

    // Every response with its answers, in arrival order, and the device it came from.
    virtual Stored<void> for_each(const std::function<bool(const std::string& device_name, const Response&)>& each) = 0;
    // How many responses are held.
    virtual Stored<std::int64_t> count() = 0;

    // The ids of every key some stored answer is sealed to.
    virtual Stored<std::set<std::string>> seal_key_ids() = 0;

    // Portable SQL for reports: `?` placeholders (PostgreSQL's $1, $2... are
    // made from them), parameters bound as text (nullopt: NULL), every value
    // read back as text (NULL: ""). The store's own lock is held throughout.
    using Param = std::optional<std::string>;
    using Row = std::vector<std::string>;
    virtual Stored<std::vector<Row>> query(const std::string& sql, const std::vector<Param>& params) = 0;
    // Runs statements without parameters or results, as written (schema steps).
    virtual Stored<void> script(const std::string& sql) = 0;
    // Runs `body` in one transaction: committed if it succeeds, else rolled back.
    virtual Stored<void> transaction(const std::function<Stored<void>()>& body) = 0;
    // Runs `body` reading one consistent view of the store while others write
    // (SQLite: a read transaction; PostgreSQL: repeatable read, read only).
    // `body` only reads.
    virtual Stored<void> snapshot(const std::function<Stored<void>()>& body) = 0;
    virtual bool postgresql() const = 0;

    // The audit log: appended to, never changed.
    virtual Stored<void> audit(const std::string& event, const std::string& subject, const std::string& detail) = 0;
    virtual Stored<void> for_each_audit(const std::function<bool(const AuditEntry&)>& each) = 0;

  private:
    std::string spec_;
};

// "sqlite:PATH" or "postgresql://..." (a libpq connection URI), its tables
// brought up to `schema` (migrations.hpp; always the latest but in tests that
// make a store as an earlier collector left it).
inline constexpr int kLatestSchema = -1;
Stored<std::unique_ptr<Store>> open_store(const std::string& spec, int schema = kLatestSchema);
Stored<std::unique_ptr<Store>> open_sqlite(const std::string& path, int schema = kLatestSchema);
Stored<std::unique_ptr<Store>> open_postgresql(const std::string& uri, int schema = kLatestSchema);

} // namespace sayso::collector

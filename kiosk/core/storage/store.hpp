// Durable answers: one SQLite file in WAL mode with synchronous=FULL, each
// answer committed on its own so a tablet that dies loses nothing answered.
#pragma once

#include "flow/record.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sayso::storage {

using flow::StorageProblem;

// Newest schema this build knows; see migrations in store.cpp.
int schema_version();

struct PinRecord {
    std::string hash; // argon2id string from libsodium's crypto_pwhash_str
    int failures = 0; // wrong tries in a row
    std::int64_t locked_until_ms = 0;
};

struct StoredAnswer {
    flow::AnswerRecord record;
};

struct StoredResponse {
    flow::ResponseStart start;
    std::string device_id;
    std::optional<std::int64_t> ended_at_ms;
    std::string state;                           // in_progress, complete, incomplete
    std::optional<std::int64_t> delivered_at_ms; // when the endpoint acknowledged it
    bool asked_to_talk = false;                  // the child asked to talk to someone
    std::string refused_because;                 // the endpoint refused it, saying this; kept here
    std::vector<flow::AnswerRecord> answers;     // in question order
};

// Safe to use from more than one thread: each call holds the store's lock
// (the kiosk's tasks share it with the flow's commits).
class Store final : public flow::Recorder {
  public:
    enum class Mode { ReadWrite, ReadOnly };

    // Opens (creating and migrating if needed) the database at `path`.
    // On failure `problem` says why and the returned pointer is null.
    // `vfs` names an SQLite VFS (tests use one that can run out of space).
    static std::unique_ptr<Store> open(const std::filesystem::path& path, std::optional<StorageProblem>& problem,
                                       Mode mode = Mode::ReadWrite, const char* vfs = nullptr);
    ~Store() override;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    std::optional<StorageProblem> begin(const flow::ResponseStart&) override;
    std::optional<StorageProblem> record(const std::string& response_id, const flow::AnswerRecord&) override;
    std::optional<StorageProblem> finish(const std::string& response_id, flow::Completion,
                                         std::int64_t ended_at_ms) override;
    std::optional<StorageProblem> flag_talk(const std::string& response_id) override;
    std::optional<StorageProblem> set_language(const std::string& response_id, const std::string& lang) override;

    // Responses left in progress by a crash or power loss become incomplete,
    // ending at their last answer. Returns how many were closed.
    std::optional<StorageProblem> close_abandoned(int& closed);

    std::string device_id() const {
        std::lock_guard lock(m_);
        return device_id_;
    }

    // From now on, answers are sealed to this public key (base64, 32 bytes;
    // libsodium's crypto_box_seal) before they are written: nothing a child
    // tapped or wrote is stored in the clear. Returns the error in words.
    std::optional<std::string> set_seal_key(const std::string& id, const std::string& public_key);
    void clear_seal_key() { // answers after this are not sealed
        std::lock_guard lock(m_);
        seal_id_.clear(), seal_pk_.clear();
        sealing_ = false;
    }
    bool sealing() const { return sealing_; }

    // PINs by role ("practitioner", "admin"); `out` is empty when none is set.
    std::optional<StorageProblem> pin(const std::string& role, std::optional<PinRecord>& out);
    // Sets a PIN's hash and clears its lockout.
    std::optional<StorageProblem> set_pin(const std::string& role, const std::string& hash);
    std::optional<StorageProblem> set_pin_lockout(const std::string& role, int failures, std::int64_t until_ms);

    // Device settings by key; `out` is empty when not set. Setting nullopt removes it.
    std::optional<StorageProblem> setting(const std::string& key, std::optional<std::string>& out);
    std::optional<StorageProblem> set_setting(const std::string& key, const std::optional<std::string>& value);

    // Retention: deletes responses acknowledged at or before `before_ms`, with
    // their answers (freed pages overwritten). `removed` counts the responses.
    std::optional<StorageProblem> purge_delivered(std::int64_t before_ms, int& removed);

    // Responses whose child asked to talk, started at or after `since_ms`.
    std::optional<StorageProblem> count_talk_requests(std::int64_t since_ms, int& count);

    // Removes every response, answer, PIN and setting, and gives the tablet a
    // new device id; freed pages are overwritten and the WAL emptied. While
    // another connection keeps the WAL from being emptied, the rows are gone
    // but old copies may stay in it: a Locked problem, and wiping again once
    // that connection has closed finishes the job.
    // `rows_gone` says whether the rows were deleted, whatever the problem.
    std::optional<StorageProblem> wipe(bool* rows_gone = nullptr);

    // Every response with its answers, oldest first; stops early if `each` returns false.
    std::optional<StorageProblem> for_each_response(const std::function<bool(const StoredResponse&)>& each);

    // The outbox: up to `limit` ended (complete or incomplete) responses not
    // yet acknowledged by the collection endpoint, oldest first.
    std::optional<StorageProblem> outbox(int limit, std::vector<StoredResponse>& out);
    // The same, continuing after the response (after_started_ms, after_id) in outbox order.
    std::optional<StorageProblem> outbox_after(int limit, std::int64_t after_started_ms, const std::string& after_id,
                                               std::vector<StoredResponse>& out);
    // How many responses wait in the outbox.
    std::optional<StorageProblem> waiting(std::int64_t& count);
    // Marks acknowledged responses delivered, in one transaction. Unknown,
    // in-progress and already delivered ids are left alone; `marked` counts the rest.
    std::optional<StorageProblem> mark_delivered(const std::vector<std::string>& ids, std::int64_t at_ms, int& marked);
    // The endpoint will never take this response: keep it, with the reason, out of the outbox.
    std::optional<StorageProblem> mark_rejected(const std::string& id, const std::string& reason);
    // Responses the endpoint refused (kept, never sent again) and the reason
    // given for the latest of them.
    std::optional<StorageProblem> refused(std::int64_t& count, std::string& latest);

  private:
    explicit Store(sqlite3* db) : db_(db) {}
    std::optional<StorageProblem> migrate();
    std::optional<StorageProblem> load_device_id();
    std::optional<StorageProblem> read_responses(const std::string& sql, int limit,
                                                 const std::function<bool(const StoredResponse&)>& each,
                                                 const std::function<void(sqlite3_stmt*)>& bind_more = {});

    struct StmtDeleter {
        void operator()(sqlite3_stmt*) const;
    };
    using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;
    Stmt prepare(const char* sql, std::optional<StorageProblem>& problem);

    // Every public call holds this; it is slow work a frame must not wait on.
    std::unique_lock<std::mutex> use() const;
    mutable std::mutex m_;
    std::atomic<bool> sealing_ = false;

    sqlite3* db_ = nullptr;
    std::string device_id_;
    std::string seal_id_;
    std::vector<unsigned char> seal_pk_;
    Stmt insert_response_, upsert_answer_, finish_response_, flag_talk_;
};

std::string iso_time(std::int64_t ms); // 2026-11-22T20:01:26.123Z

} // namespace sayso::storage

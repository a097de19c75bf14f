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
using flow::StoreResult;

// Newest schema this build knows; see migrations in store.cpp.
int schema_version();

// How much of drawings and recordings one read of the outbox holds at most
// (past one response): what a delivery carries, and no more, is read.
inline constexpr std::size_t kOutboxClipBytes = 4u << 20;

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
    // `vfs` names an SQLite VFS (tests use one that can run out of space).
    static StoreResult<std::unique_ptr<Store>> open(const std::filesystem::path& path, Mode mode = Mode::ReadWrite,
                                                    const char* vfs = nullptr);
    ~Store() override;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // This connection's commits may be lost to a power cut, and done again
    // (SQLite's synchronous=NORMAL: a commit is still whole and in order, and
    // survives the process being killed; it waits for no fsync). Only for
    // delivery's connections, whose writes can be redone: a "delivered" mark
    // lost is a response sent again, which the collector takes once, and a
    // retention delete lost is done at the next round. Answers keep FULL.
    StoreResult<void> allow_redone_commits();

    StoreResult<void> begin(const flow::ResponseStart&) override;
    StoreResult<void> record(const std::string& response_id, const flow::AnswerRecord&) override;
    StoreResult<void> finish(const std::string& response_id, flow::Completion, std::int64_t ended_at_ms) override;
    StoreResult<void> flag_talk(const std::string& response_id) override;
    StoreResult<void> set_language(const std::string& response_id, const std::string& lang) override;
    StoreResult<void> set_case_ref(const std::string& response_id, const std::string& case_ref) override;

    // Responses left in progress by a crash or power loss become incomplete,
    // ending at their last answer. Gives how many were closed.
    StoreResult<int> close_abandoned();

    std::string device_id() const {
        std::lock_guard lock(m_);
        return device_id_;
    }

    // From now on, answers are sealed to this public key (base64, 32 bytes;
    // libsodium's crypto_box_seal) before they are written: nothing a child
    // tapped or wrote is stored in the clear. A key that is not one is a
    // BadSealKey problem.
    StoreResult<void> set_seal_key(const std::string& id, const std::string& public_key);
    void clear_seal_key() { // answers after this are not sealed
        std::lock_guard lock(m_);
        seal_id_.clear(), seal_pk_.clear();
        sealing_ = false;
    }
    bool sealing() const { return sealing_; }

    // PINs by role ("practitioner", "admin"); nothing when none is set.
    StoreResult<std::optional<PinRecord>> pin(const std::string& role);
    // Sets a PIN's hash and clears its lockout.
    StoreResult<void> set_pin(const std::string& role, const std::string& hash);
    StoreResult<void> set_pin_lockout(const std::string& role, int failures, std::int64_t until_ms);

    // Device settings by key; nothing when not set. Setting nullopt removes it.
    StoreResult<std::optional<std::string>> setting(const std::string& key);
    StoreResult<void> set_setting(const std::string& key, const std::optional<std::string>& value);

    // Retention: deletes responses acknowledged at or before `before_ms`, with
    // their answers (freed pages overwritten). Gives how many responses went.
    // With `at_most` > 0, only that many of the earliest acknowledged, so one
    // call's write lock stays short (the child's next answer waits for it).
    StoreResult<int> purge_delivered(std::int64_t before_ms, int at_most = 0);

    // How many responses whose child asked to talk started at or after `since_ms`.
    StoreResult<int> count_talk_requests(std::int64_t since_ms);

    // Removes every response, answer, PIN and setting, and gives the tablet a
    // new device id: erase_all(), then compact(). The rows are gone once
    // erase_all() has worked (one transaction), whatever compact() then says.
    StoreResult<void> wipe();
    StoreResult<void> erase_all();
    // Gives the tablet its new device id after erase_all(), then rewrites
    // the file so freed pages are overwritten, and empties the WAL.
    // While another connection keeps the WAL from being emptied, old copies
    // may stay in it: a Locked problem, and compacting again once that
    // connection has closed finishes the job.
    StoreResult<void> compact();

    // Every response with its answers, oldest first; stops early if `each` returns false.
    StoreResult<void> for_each_response(const std::function<bool(const StoredResponse&)>& each);

    // The outbox: up to `limit` ended (complete or incomplete) responses not
    // yet acknowledged by the collection endpoint, oldest first; fewer once
    // their drawings and recordings pass kOutboxClipBytes (at least one).
    StoreResult<std::vector<StoredResponse>> outbox(int limit);
    // The same, continuing after the response (after_started_ms, after_id) in outbox order.
    StoreResult<std::vector<StoredResponse>> outbox_after(int limit, std::int64_t after_started_ms,
                                                          const std::string& after_id);
    // How many responses wait in the outbox.
    StoreResult<std::int64_t> waiting();
    // Marks acknowledged responses delivered, in one transaction. Unknown,
    // in-progress and already delivered ids are left alone; gives how many
    // of the rest were marked.
    StoreResult<int> mark_delivered(const std::vector<std::string>& ids, std::int64_t at_ms);
    // The endpoint will never take this response: keep it, with the reason, out of the outbox.
    StoreResult<void> mark_rejected(const std::string& id, const std::string& reason);
    // Responses the endpoint refused (kept, never sent again) and the reason
    // given for the latest of them.
    struct Refused {
        std::int64_t count = 0;
        std::string latest;
    };
    StoreResult<Refused> refused();

  private:
    explicit Store(sqlite3* db) : db_(db) {}
    StoreResult<void> migrate();
    StoreResult<void> load_device_id();
    StoreResult<void> read_responses(const std::string& sql, int limit,
                                     const std::function<bool(const StoredResponse&)>& each,
                                     const std::function<void(sqlite3_stmt*)>& bind_more = {});
    StoreResult<std::vector<StoredResponse>> collect(const std::string& sql, int limit,
                                                     const std::function<void(sqlite3_stmt*)>& bind_more = {});

    struct StmtDeleter {
        void operator()(sqlite3_stmt*) const;
    };
    using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;
    StoreResult<Stmt> prepare(const char* sql);

    // Every public call holds this; it is slow work a frame must not wait on.
    std::unique_lock<std::mutex> use() const;
    mutable std::mutex m_;
    std::atomic<bool> sealing_ = false;

    sqlite3* db_ = nullptr;
    std::string device_id_;
    std::string seal_id_;
    std::vector<unsigned char> seal_pk_;
    Stmt insert_response_, upsert_answer_, finish_response_, flag_talk_, upsert_clip_, delete_clip_;
};

std::string iso_time(std::int64_t ms); // 2026-11-22T20:01:26.123Z

} // namespace sayso::storage

// Delivers the outbox to the collection endpoint with libcurl, on a thread
// of its own: the kiosk's screens never wait on the network.
#pragma once

#include "batch.hpp"
#include "config.hpp"
#include "flow/clock.hpp"
#include "protocol/wire.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

typedef void CURL;

namespace sayso::sync {

// What one request came to, as a value (PROTOCOL.md, "Replies").
struct PostResult {
    enum class Kind {
        Ok,
        Unreachable,
        Tls,
        AuthRefused,
        Revoked,
        TooLarge,
        RetryLater,
        ServerError,
        BadRequest,
        BadReply
    };
    Kind kind = Kind::Unreachable;
    int status = 0;   // HTTP status, 0 if none arrived
    std::string body; // reply body (capped)
    std::optional<std::int64_t> retry_after_s;
    std::string detail; // technical detail for the log
};

// One libcurl handle with every option set in one place.
class Http {
  public:
    explicit Http(const Config& config);
    ~Http();
    Http(const Http&) = delete;
    Http& operator=(const Http&) = delete;
    PostResult post(const std::string& path, const std::string& json_body);
    PostResult get(const std::string& path);
    // Checked while a request runs; returning true abandons it (the kiosk is closing).
    void cancel_when(std::function<bool()> cancelled) { cancelled_ = std::move(cancelled); }

  private:
    PostResult request(const std::string& path, const std::string* json_body); // no body: GET
    Config config_;
    CURL* curl_;
    std::function<bool()> cancelled_;
};

// The delivery state in words-ready form, for the practitioner screen.
struct Status {
    enum class Problem {
        None,
        NotSetUp,
        BadSettings,
        Unreachable,
        Tls,
        AuthRefused,
        Revoked,
        ServerBusy,
        ServerError,
        ServerCantRead,
        Storage
    };
    bool configured = false;
    std::int64_t waiting = -1;                    // responses not yet delivered (-1: not known yet)
    std::int64_t delivered = 0;                   // delivered since the kiosk started
    std::int64_t refused = 0;                     // kept here: the server will never take these
    std::string refusal;                          // the server's reason for the latest of them
    std::optional<std::int64_t> last_delivery_ms; // wall time of the last acknowledged batch
    Problem problem = Problem::None;
    std::string detail;
    std::uint64_t rounds = 0; // delivery rounds finished so far
    // "You said, we did" as last fetched and checked (null: none fetched
    // since the client started), and why the last look found none.
    std::shared_ptr<const protocol::WeDidList> we_did;
    std::string we_did_problem;
};
std::string describe(Status::Problem);

// One round: the oldest batch from the outbox, one POST, acknowledged ids
// marked delivered in one transaction.
struct Round {
    PostResult result;
    std::size_t sent = 0, acknowledged = 0, refused = 0;
    std::optional<storage::StorageProblem> storage;
};
Round deliver_round(storage::Store& store, Http& http, std::size_t batch_size, std::int64_t now_ms);

// A batch read from the outbox and encoded, ready to send. The client reads
// the next one on a second connection while the current one is in flight.
struct Prepared {
    protocol::Batch batch;
    std::int64_t last_started_ms = 0; // outbox position of the last response in it
    std::string last_id;
    std::optional<storage::StorageProblem> storage;
    bool empty() const { return batch.ids.empty(); }
};
// The oldest batch, or with `after` the one following it.
Prepared prepare(storage::Store& store, std::size_t batch_size, const Prepared* after);
Round send(storage::Store& store, Http& http, const Prepared& batch, std::int64_t now_ms);

// Waits in retry: grows from `start` doubling to `cap`, each wait drawn
// between half and all of the step (so tablets that failed together do not
// retry together); a success resets it. `unit` draws from [0, 1): libsodium's
// by default, a fixed value in tests.
class Backoff {
  public:
    Backoff(double start_s, double cap_s, std::function<double()> unit = {});
    double next(); // seconds to wait now
    void reset() { step_ = start_; }

  private:
    double start_, cap_, step_;
    std::function<double()> unit_;
};

// What to do after a round: the problem to show, how long to wait before
// the next (0: straight on), and the batch size from then on. A pure choice
// but for `backoff`, which it advances when it retries and resets on success.
struct Next {
    Status::Problem problem = Status::Problem::None;
    double wait_s = 0;
    std::size_t batch = 0;
};
Next next_after(const Round& round, std::size_t batch, const Config& config, Backoff& backoff);

class Client {
  public:
    // Opens its own connection to the kiosk database at `db`. `on_change`,
    // if given, is called on the client's thread whenever the status changes.
    // `clock` (the system's if null) gives the time responses are marked
    // delivered and retention counts from; it must outlive the client.
    Client(std::filesystem::path db, Config config, std::function<void()> on_change = {},
           const flow::Clock* clock = nullptr);
    ~Client(); // stops and joins the thread
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // New answers are waiting: look now rather than at the next interval.
    void wake();
    Status status() const;

  private:
    // Batches in flight at once, each on its own lane: while the collector
    // stores one, the others are read, sent and waiting for it.
    static constexpr std::size_t kLanes = 2;
    struct Lane {
        std::unique_ptr<storage::Store> store;
        std::unique_ptr<Http> http;
    };
    void run(std::stop_token stop);
    bool open_lanes(std::stop_token& stop, std::vector<Lane>& lanes, Backoff& backoff);
    Round deliver_next(std::vector<Lane>& lanes, std::size_t batch, std::optional<Prepared>& after);
    void finish_round(storage::Store& store, Round round, Next next, const std::stop_token& stop);
    // "You said, we did", when it is due: hourly, ten minutes after a look that failed.
    void look_for_we_did(Lane& lane, std::chrono::steady_clock::time_point& due);
    void set(const std::function<void(Status&)>& change);
    bool sleep(std::stop_token& stop, double seconds);

    std::filesystem::path db_;
    Config config_;
    const flow::Clock& clock_;
    std::function<void()> on_change_;
    mutable std::mutex mu_;
    std::condition_variable_any cv_;
    bool woken_ = false;
    Status status_;
    std::jthread thread_; // last: starts after everything it uses
};

} // namespace sayso::sync

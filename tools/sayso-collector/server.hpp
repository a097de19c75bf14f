// The collector's HTTP(S) endpoint: POST /v1/responses as in sync/PROTOCOL.md.
#pragma once

#include "http/rate_limit.hpp"
#include "http/server.hpp"
#include "ingest.hpp"
#include "store.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sayso::collector {

struct ServerOptions {
    std::size_t max_body = 8u << 20; // bytes; larger requests get 413
    // Per-device rate limit: a bucket of `burst` requests refilled at
    // `per_minute`; an empty bucket is answered 429 with Retry-After. 0: none.
    double per_minute = 600;
    double burst = 60;
    std::string cert_file, key_file; // both set: HTTPS
    http::Limits limits;             // connections, deadlines, header size
    // The packs taken and the keys that open sealed answers; an enrolling
    // tablet is given the keys' public halves to seal to, oldest first.
    Intake intake;
    // Where the keys came from: read again when it changes (a key added with
    // `keys new` is taken without a restart), looked at every 2 s at most.
    std::string keys_file;
};

class Server {
  public:
    Server(Store& store, ServerOptions options);
    ~Server();
    // Binds `host`:`port` (0: any free port). Returns the port, or -1.
    int bind(const std::string& host, int port) { return http_.bind(host, port); }
    // Serves until stop(); returns false if it could not.
    bool serve() { return http_.serve(); }
    void stop() { http_.stop(); }
    bool tls() const { return http_.tls(); }

  private:
    Store& store_;
    ServerOptions options_;
    http::RateLimit rate_;       // by tablet
    http::RateLimit enrol_rate_; // by address: strangers never share a tablet's bucket
    // What is taken now: the packs, and the keys as last read.
    std::shared_ptr<const Intake> intake();
    std::mutex intake_mu_;
    std::shared_ptr<const Intake> intake_;
    std::chrono::steady_clock::time_point keys_checked_{};
    std::filesystem::file_time_type keys_written_{};
    http::Server http_;
};

// A new device token: 32 random bytes as 64 hex digits.
std::string new_token();
// SHA-256 of a token, as hex: what the store keeps.
std::string token_hash(const std::string& token);
// A one-time enrolment code: 12 letters and digits that can't be mistaken
// for one another (no 0/O, 1/I/L), as XXXX-XXXX-XXXX: about 59 bits.
// (protocol::normalise_code reads one as typed.)
std::string new_enrolment_code();

} // namespace sayso::collector

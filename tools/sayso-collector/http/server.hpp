// The HTTP(S) server under both the collector (POST /v1/responses) and the
// reports website: event-driven on Boost.Beast and Asio, so a slow or idle
// client costs a socket and a timer, never a thread. Every request has a
// deadline for its header and one for its body; a route's gate reads the
// header (a token, a rate limit) before any body is read; a body is limited
// while it arrives, sized or chunked; bad framing is answered at once.
// Handlers run on a small pool of worker threads, so a slow store or a
// password hash never holds up reading and writing for others; password
// hashes have a pool of their own. A HEAD request runs its GET route and
// gets the header alone; a method a path does not take gets 405 with Allow.
// Per-address limits count an IPv6 client by its /64 network (one host
// usually holds a whole /64) and an IPv4-mapped one by its IPv4 address.
#pragma once

#include "message.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sayso::http {

struct Limits {
    std::size_t max_connections = 2000;            // open at once, in all; more are closed at once
    std::size_t per_address = 64;                  // open at once from one address; more get 503
    std::chrono::milliseconds header_time{10'000}; // from accepting (or the last reply) to the whole header
    std::chrono::milliseconds body_time{60'000};   // from the header to the whole body
    std::chrono::milliseconds write_time{30'000};  // to send a reply
    std::size_t header_bytes = 16 * 1024;          // the request line and every header together
    int workers = 4;                               // threads that run handlers
    int heavy_workers = 2;                         // threads that run heavy routes (password hashes)
    int io_threads = 2;                            // threads that read, write and do TLS
    // Proxies (a web server in front, by address as peer_address writes it)
    // whose X-Forwarded-For and X-Forwarded-Proto are believed: a request
    // from one of them is counted, limited and logged as from the client it
    // names. Anyone else's such headers are ignored.
    std::vector<std::string> trusted_proxies;
};

// Runs once the header is in, before any body is read. Returns false having
// filled `res` to refuse the request (its body is then never read).
using Gate = std::function<bool(Request& req, Response& res)>;
using Handler = std::function<void(Request& req, Response& res)>;

struct Route {
    std::string method, path; // exact match, e.g. POST /v1/responses
    std::size_t max_body = 0; // bytes; more is answered 413 (a GET has none)
    Gate gate;                // optional
    Handler handler;
    // Its handler hashes a password: it runs on its own small pool, so other
    // requests never queue behind a burst of sign-ins.
    bool heavy = false;
    // A GET route also answers HEAD (the handler runs, the body is dropped);
    // false for a handler with effects a HEAD must not have (an audit line).
    bool head = true;
};

class Server {
  public:
    // HTTPS when both files are given (PEM).
    Server(Limits limits, std::string cert_file = "", std::string key_file = "");
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void route(Route r);
    // How this site puts an error into words (JSON for the collector, a page
    // for the reports): 400, 404, 405, 408, 413, 431, 500, 503.
    void on_error(std::function<void(int status, const std::string& words, Response& res)> f);
    // Runs on every reply before it is sent (security headers, say).
    void after(std::function<void(const Request& req, Response& res)> f);

    bool tls() const;
    // Binds `host`:`port` (0: any free port): the port, or -1 (in use, or a
    // certificate or key that can't be read).
    int bind(const std::string& host, int port);
    // Serves until stop(); false if it could not start.
    bool serve();
    // From any thread.
    void stop();

    struct Impl; // in server.cpp; public only so its connections can name it

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace sayso::http

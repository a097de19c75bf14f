#include "server.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sys/random.h>

#include <cmath>
#include <cstdio>

namespace sayso::collector {

using nlohmann::json;

std::string new_token() {
    unsigned char b[32];
    std::size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0) throw std::runtime_error("getrandom failed");
        got += static_cast<std::size_t>(n);
    }
    char hex[65];
    for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", b[i]);
    return std::string(hex, 64);
}

std::string token_hash(const std::string& token) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", md[i]);
        hex += buf;
    }
    return hex;
}

namespace {

void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void problem(httplib::Response& res, int status, const std::string& words, const std::string& where = "") {
    json b = {{"error", words}};
    if (!where.empty()) b["where"] = where;
    reply(res, status, b);
}

} // namespace

Server::Server(Store& store, ServerOptions options) : store_(store), options_(std::move(options)) {
    if (!options_.cert_file.empty() && !options_.key_file.empty()) {
        http_ = std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
        tls_ = true;
    } else {
        http_ = std::make_unique<httplib::Server>();
    }
    auto& s = *http_;
    s.set_payload_max_length(options_.max_body);
    s.set_read_timeout(30, 0);  // s
    s.set_write_timeout(30, 0); // s

    s.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) { reply(res, 200, {{"ok", true}}); });

    s.Post("/v1/responses", [this](const httplib::Request& req, httplib::Response& res) {
        const std::string auth = req.get_header_value("Authorization");
        if (auth.rfind("Bearer ", 0) != 0 || auth.size() <= 7)
            return problem(res, 401, "this request has no device token (Authorization: Bearer ...)");
        std::optional<std::string> device;
        if (auto e = store_.device_for(token_hash(auth.substr(7)), device)) {
            res.set_header("Retry-After", "10");
            return problem(res, 503, "the collector's store is not available: " + e->message);
        }
        if (!device) return problem(res, 401, "this device token is not known here, or has been revoked");
        if (const int wait = take(*device); wait > 0) {
            res.set_header("Retry-After", std::to_string(wait));
            return problem(res, 429, "this tablet is sending more often than this collector allows; try again in " +
                                         std::to_string(wait) + " s");
        }
        const std::string type = req.get_header_value("Content-Type");
        if (type.rfind("application/json", 0) != 0)
            return problem(res, 415, "the body must be application/json, not \"" + type.substr(0, 100) + "\"");
        std::vector<Response> batch;
        if (auto bad = read_request(req.body, batch)) return problem(res, 400, bad->message, bad->where);
        std::vector<std::string> stored;
        if (auto e = store_.insert(*device, batch, stored)) {
            res.set_header("Retry-After", "10");
            return problem(res, 503, "the collector's store is not available: " + e->message);
        }
        reply(res, 200, {{"protocol", 1}, {"accepted", stored}, {"rejected", json::array()}});
    });

    s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        // httplib sets 413 itself for a body over the limit; give every error words.
        if (res.body.empty()) {
            const char* words = res.status == 413   ? "the request body is larger than this collector accepts"
                                : res.status == 404 ? "there is nothing here; deliveries go to POST /v1/responses"
                                                    : "the request could not be handled";
            problem(res, res.status, words);
        }
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        problem(res, 500, "the collector hit an internal error; nothing was stored from this request");
    });
}

Server::~Server() = default;

int Server::take(const std::string& device) {
    if (options_.per_minute <= 0) return 0;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(rate_mu_);
    auto [it, fresh] = buckets_.try_emplace(device, Bucket{options_.burst, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double secs = std::chrono::duration<double>(now - b.at).count();
        b.tokens = std::min(options_.burst, b.tokens + secs * options_.per_minute / 60.0);
        b.at = now;
    }
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) * 60.0 / options_.per_minute)));
}

int Server::bind(const std::string& host, int port) {
    if (!http_->is_valid()) return -1;
    if (port == 0) return http_->bind_to_any_port(host.c_str());
    return http_->bind_to_port(host.c_str(), port) ? port : -1;
}

bool Server::serve() { return http_->listen_after_bind(); }

void Server::stop() { http_->stop(); }

} // namespace sayso::collector

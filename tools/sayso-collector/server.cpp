#include "server.hpp"

#include "random/random.hpp"

#include "keys.hpp"
#include "publish.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace sayso::collector {

using nlohmann::json;

std::string new_enrolment_code() {
    std::string code;
    const auto n = static_cast<std::uint32_t>(sizeof protocol::kCodeLetters - 1);
    while (code.size() < protocol::kCodeLength + 2) {
        if (code.size() == 4 || code.size() == 9) code += '-';
        code += protocol::kCodeLetters[random::random_below(n)]; // uniform: no letter more likely than another
    }
    return code;
}

std::string new_token() {
    return random::random_hex(32);
}

std::string token_hash(const std::string& token) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
    return random::to_hex(md, len);
}

namespace {

void reply(http::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
}

void problem(http::Response& res, int status, const std::string& words, const std::string& where = "") {
    reply(res, status, protocol::write_refusal({.error = words, .where = where}));
}

constexpr std::size_t kMaxEnrolBody = 4096; // {"code", "device_id"}

} // namespace

Server::Server(Store& store, ServerOptions options)
    : store_(store), options_(std::move(options)), rate_(options_.per_minute, options_.burst),
      enrol_rate_(options_.per_minute, options_.burst), http_(options_.limits, options_.cert_file, options_.key_file) {
    http_.on_error([](int status, const std::string& words, http::Response& res) {
        problem(res, status, status == 404 ? words + "; deliveries go to POST /v1/responses" : words);
        if (status == 503) res.set_header("Retry-After", "5");
    });

    http_.route({"GET", "/v1/health", 0, nullptr, [](http::Request&, http::Response& res) {
                     reply(res, 200, protocol::dump({{"ok", true}}));
                 }});

    // Everything a refusal needs is in the header: the token, the rate, the
    // type. A request refused here has none of its body read.
    auto device_gate = [this](http::Request& req, http::Response& res) {
        const std::string auth = req.header("Authorization");
        if (auth.rfind("Bearer ", 0) != 0 || auth.size() <= 7) {
            problem(res, 401, "this request has no device token (Authorization: Bearer ...)");
            return false;
        }
        const auto found = store_.device_for(token_hash(auth.substr(7)));
        if (!found) {
            res.set_header("Retry-After", "10");
            problem(res, 503, "the collector's store is not available: " + found.problem().message);
            return false;
        }
        const DeviceToken& device = *found;
        if (device.revoked) {
            reply(res, 401,
                  protocol::write_refusal({.error = "this tablet's token has been revoked", .revoked = true}));
            return false;
        }
        if (!device.name) {
            problem(res, 401, "this device token is not known here");
            return false;
        }
        if (const int wait = rate_.take(*device.name); wait > 0) {
            res.set_header("Retry-After", std::to_string(wait));
            problem(res, 429,
                    "this tablet is sending more often than this collector allows; try again in " +
                        std::to_string(wait) + " s");
            return false;
        }
        req.state = device;
        return true;
    };
    auto delivery_gate = [device_gate](http::Request& req, http::Response& res) {
        if (!device_gate(req, res)) return false;
        const std::string type = req.header("Content-Type");
        if (type.rfind("application/json", 0) != 0) {
            problem(res, 415, "the body must be application/json, not \"" + type.substr(0, 100) + "\"");
            return false;
        }
        return true;
    };

    http_.route(
        {"POST", "/v1/responses", options_.max_body, delivery_gate, [this](http::Request& req, http::Response& res) {
             const auto& device = std::any_cast<const DeviceToken&>(req.state);
             auto delivery = protocol::read_delivery(req.body);
             if (!delivery) return problem(res, 400, delivery.problem().message, delivery.problem().where);
             if (!device.device_id.empty() && delivery->device_id != device.device_id)
                 return problem(res, 400,
                                "this token was given to the tablet with device id \"" + device.device_id +
                                    "\", not this one; enrol this tablet to get its own",
                                "$.device_id");
             // What will never be taken is said once, by id, so the tablet keeps it and stops resending it.
             const auto intake = this->intake();
             std::vector<Response> taken;
             protocol::Ack ack;
             for (auto& r : received(std::move(*delivery))) {
                 if (auto why = never_taken(r, *intake))
                     ack.rejected.push_back({r.id, *why});
                 else
                     taken.push_back(std::move(r));
             }
             if (!taken.empty()) {
                 auto held = store_.insert(*device.name, taken);
                 if (!held) {
                     res.set_header("Retry-After", "10");
                     return problem(res, 503, "the collector's store is not available: " + held.problem().message);
                 }
                 ack.accepted = std::move(*held);
             }
             reply(res, 200, protocol::write_ack(ack));
         }});

    // "You said, we did" for the asking tablet's service area, signed
    // (PROTOCOL.md). Its device id is checked as a delivery's is, and is
    // inside what is signed, so a list made for one tablet is no use to another.
    http_.route({"GET", "/v1/wedid", 0, device_gate, [this](http::Request& req, http::Response& res) {
                     const auto& device = std::any_cast<const DeviceToken&>(req.state);
                     const std::string device_id = req.param("device_id");
                     if (device_id.empty() || device_id.size() > protocol::kMaxDeviceId)
                         return problem(res, 400, "say which tablet is asking: ?device_id=...", "device_id");
                     if (!device.device_id.empty() && device_id != device.device_id)
                         return problem(res, 400,
                                        "this token was given to the tablet with device id \"" + device.device_id +
                                            "\", not this one",
                                        "device_id");
                     auto key = publish_key(store_);
                     auto list =
                         key ? we_did_for(store_, *device.name, device_id) : Stored<protocol::WeDidList>(key.problem());
                     if (!list) {
                         res.set_header("Retry-After", "60");
                         return problem(res, 503, "the collector's store is not available: " + list.problem().message);
                     }
                     // Within what a tablet reads: the oldest entries give way (words heavy with
                     // escapes can take twice their size, and are escaped twice).
                     std::string body = protocol::write_we_did(*list, key->secret);
                     while (body.size() > protocol::kMaxWeDidBytes && !list->entries.empty()) {
                         list->entries.pop_back();
                         body = protocol::write_we_did(*list, key->secret);
                     }
                     reply(res, 200, body);
                 }});

    // Enrolment (PROTOCOL.md): a one-time code, typed on the tablet, is
    // exchanged for the tablet's device token and the keys to seal to.
    // Guessing codes is slowed by the same buckets, kept per address, before any body is read.
    auto enrol_gate = [this](http::Request& req, http::Response& res) {
        if (const int wait = enrol_rate_.take(req.remote_key); wait > 0) {
            res.set_header("Retry-After", std::to_string(wait));
            problem(res, 429, "too many enrolment attempts from here; try again in " + std::to_string(wait) + " s");
            return false;
        }
        return true;
    };
    http_.route(
        {"POST", "/v1/enrol", kMaxEnrolBody, enrol_gate, [this](http::Request& req, http::Response& res) {
             const auto asked = protocol::read_enrol_request(req.body);
             if (!asked) return problem(res, 400, asked.problem().message, asked.problem().where);
             const std::string& code = asked->code;
             const std::string& device_id = asked->device_id;
             const std::string token = new_token();
             std::optional<std::string> name;
             if (!code.empty()) {
                 auto redeemed = store_.redeem_enrolment(token_hash(code), token_hash(token), device_id,
                                                         static_cast<std::int64_t>(std::time(nullptr)));
                 if (!redeemed) {
                     res.set_header("Retry-After", "10");
                     return problem(res, 503, "the collector's store is not available: " + redeemed.problem().message);
                 }
                 name = std::move(*redeemed);
             }
             if (!name) {
                 (void)store_.audit("enrolment_refused", req.remote_addr, "device id " + device_id.substr(0, 64));
                 return problem(res, 403, "this enrolment code is not known, was used already, or has expired");
             }
             (void)store_.audit("enrolled", *name, "device id " + device_id + " from " + req.remote_addr);
             protocol::EnrolReply given{.device_name = *name, .token = token, .seal_keys = {}, .publish_key = {}};
             for (const auto& k : intake()->keys)
                 given.seal_keys.push_back({k.id, k.public_key});
             // Without it the tablet still delivers; it just shows no "we did" until enrolled again.
             if (auto key = publish_key(store_)) given.publish_key = key->public_key;
             reply(res, 200, protocol::write_enrol_reply(given));
         }});
}

Server::~Server() = default;

std::shared_ptr<const Intake> Server::intake() {
    std::lock_guard lock(intake_mu_);
    if (!intake_) {
        intake_ = std::make_shared<const Intake>(options_.intake);
        std::error_code ec;
        if (!options_.keys_file.empty()) keys_written_ = std::filesystem::last_write_time(options_.keys_file, ec);
        keys_checked_ = std::chrono::steady_clock::now();
    }
    const auto now = std::chrono::steady_clock::now();
    if (options_.keys_file.empty() || now - keys_checked_ < std::chrono::seconds(2)) return intake_;
    keys_checked_ = now;
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(options_.keys_file, ec);
    if (ec || written == keys_written_) return intake_;
    keys_written_ = written;
    // A damaged or half-edited file changes nothing: the keys held stay.
    auto keys = load_keys(options_.keys_file);
    if (!keys) {
        std::fprintf(stderr,
                     "sayso-collector: the keys file changed but can't be used (%s); keeping the %zu key(s) held\n",
                     keys.words().c_str(), intake_->keys.size());
        return intake_;
    }
    auto next = std::make_shared<Intake>(*intake_);
    next->keys = std::move(*keys);
    std::fprintf(stderr, "sayso-collector: the keys file changed: %zu key(s) held now\n", next->keys.size());
    intake_ = std::move(next);
    return intake_;
}

} // namespace sayso::collector

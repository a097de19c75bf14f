#include "client.hpp"

#include "random/random.hpp"

#include "batch.hpp"
#include "we_did.hpp"

#include <algorithm>
#include <chrono>
#include <curl/curl.h>
#include <future>
#include <mutex>

namespace sayso::sync {

namespace {

constexpr std::size_t kMaxReplyBytes = 1u << 20; // 1 MiB: an acknowledgement of 500 ids is ~20 KB

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Capture {
    std::string body;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* c = static_cast<Capture*>(user);
    const size_t len = size * n;
    if (c->body.size() + len > kMaxReplyBytes) return 0; // abort: no acknowledgement is this large
    c->body.append(data, len);
    return len;
}

} // namespace

Http::Http(const Config& config) : config_(config) {
    global_init();
    curl_ = curl_easy_init();
}

Http::~Http() {
    curl_easy_cleanup(curl_);
}

PostResult Http::post(const std::string& path, const std::string& json_body) {
    return request(path, &json_body);
}

PostResult Http::get(const std::string& path) {
    return request(path, nullptr);
}

PostResult Http::request(const std::string& path, const std::string* json_body) {
    PostResult r;
    if (!curl_) {
        r.detail = "libcurl could not start";
        return r;
    }
    CURL* c = curl_;
    curl_easy_reset(c);
    Capture cap;
    const std::string url = config_.endpoint + path;
    const std::string auth = "Authorization: Bearer " + config_.token;
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
    if (json_body)
        for (const char* h : {"Content-Type: application/json", "Expect:"})
            headers.reset(curl_slist_append(headers.release(), h));
    if (!config_.token.empty()) headers.reset(curl_slist_append(headers.release(), auth.c_str()));
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "sayso/" SAYSO_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (json_body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body->size()));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &cap);
    // Certificates are always checked; only the CA list can be changed.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); // a redirect could carry the token elsewhere
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);       // we run on a thread
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_seconds * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_seconds * 1000));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L); // bytes/s
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config_.low_speed_seconds));
    if (cancelled_) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &cancelled_);
        curl_easy_setopt(
            c, CURLOPT_XFERINFOFUNCTION, +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                return (*static_cast<std::function<bool()>*>(user))() ? 1 : 0;
            });
    }
    char err[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);

    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    r.status = static_cast<int>(status);
    r.body = std::move(cap.body);
    // libcurl reads Retry-After itself, as seconds or as an HTTP date (0: none, or one it can't read).
    curl_off_t retry = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
        r.retry_after_s = std::min<std::int64_t>(retry, 86'400); // a day at most
    if (rc != CURLE_OK) {
        r.detail = std::string(curl_easy_strerror(rc)) + (err[0] ? std::string(": ") + err : "");
        switch (rc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM: r.kind = PostResult::Kind::Tls; break;
        default: r.kind = PostResult::Kind::Unreachable; break; // no reply, a cut reply, a timeout
        }
        return r;
    }
    if (status == 200)
        r.kind = PostResult::Kind::Ok;
    else if (status == 401 || status == 403) {
        // The collector says so when the token was revoked, not just unknown.
        r.kind = protocol::read_refusal(r.body).revoked ? PostResult::Kind::Revoked : PostResult::Kind::AuthRefused;
    } else if (status == 413)
        r.kind = PostResult::Kind::TooLarge;
    else if (status == 429 || status == 503)
        r.kind = PostResult::Kind::RetryLater;
    else if (status >= 500)
        r.kind = PostResult::Kind::ServerError;
    else
        r.kind = PostResult::Kind::BadRequest;
    if (r.kind != PostResult::Kind::Ok) r.detail = "HTTP " + std::to_string(status) + ": " + r.body.substr(0, 300);
    return r;
}

Prepared prepare(storage::Store& store, std::size_t batch_size, const Prepared* after) {
    Prepared p;
    auto read = after ? store.outbox_after(static_cast<int>(batch_size), after->last_started_ms, after->last_id)
                      : store.outbox(static_cast<int>(batch_size));
    if (!read) {
        p.storage = read.problem();
        return p;
    }
    const std::vector<storage::StoredResponse>& waiting = *read;
    if (waiting.empty()) return p;
    p.batch = encode_batch(store.device_id(), waiting, protocol::kMaxDeliveryBytes, batch_size);
    const auto& last = waiting[p.batch.ids.size() - 1];
    p.last_started_ms = last.start.started_at_ms;
    p.last_id = last.start.id;
    return p;
}

Round send(storage::Store& store, Http& http, const Prepared& prepared, std::int64_t at_ms) {
    Round round;
    round.sent = prepared.batch.ids.size();
    round.result = http.post("/v1/responses", prepared.batch.body);
    if (round.result.kind != PostResult::Kind::Ok) return round;
    auto ack = protocol::read_ack(round.result.body, prepared.batch.ids);
    if (!ack) {
        round.result.kind = PostResult::Kind::BadReply;
        round.result.detail = ack.words();
        return round;
    }
    if (auto marked = store.mark_delivered(ack->accepted, at_ms); !marked) {
        round.storage = marked.problem();
        return round;
    }
    round.acknowledged = ack->accepted.size();
    for (const auto& r : ack->rejected) {
        if (auto kept = store.mark_rejected(r.id, r.reason); !kept) {
            round.storage = kept.problem();
            return round;
        }
        ++round.refused;
    }
    return round;
}

Round deliver_round(storage::Store& store, Http& http, std::size_t batch_size, std::int64_t at_ms) {
    Prepared p = prepare(store, batch_size, nullptr);
    if (p.storage || p.empty()) {
        Round round;
        round.storage = p.storage;
        round.result.kind = PostResult::Kind::Ok;
        return round;
    }
    return send(store, http, p, at_ms);
}

Backoff::Backoff(double start_s, double cap_s, std::function<double()> unit)
    : start_(start_s), cap_(cap_s), step_(start_s), unit_(std::move(unit)) {
    if (!unit_) unit_ = [] { return random::random_below(1u << 30) / static_cast<double>(1u << 30); };
}

double Backoff::next() {
    const double step = step_;
    step_ = std::min(step_ * 2, cap_);
    return step / 2 + unit_() * (step / 2);
}

Next next_after(const Round& round, std::size_t batch, const Config& config, Backoff& backoff) {
    using P = Status::Problem;
    Next n{.batch = batch};
    if (round.storage) return {.problem = P::Storage, .wait_s = backoff.next(), .batch = batch};
    using K = PostResult::Kind;
    switch (round.result.kind) {
    case K::Ok:
        // The server left some ids unanswered: send them again, but not in a tight loop.
        if (round.sent > round.acknowledged + round.refused) return {P::ServerError, backoff.next(), batch};
        backoff.reset();
        // Nothing was sent: all delivered. Otherwise go straight on with the next batch.
        n.wait_s = round.sent == 0 ? config.interval_seconds : 0;
        return n;
    case K::TooLarge:
        // Halved, and it stays halved: the server said what it can take.
        if (batch > 1) return {P::None, 0, batch / 2};
        return {P::ServerCantRead, backoff.next(), batch};
    case K::RetryLater:
        // As long as the server asks, and never less than the backoff.
        return {P::ServerBusy, std::max(backoff.next(), static_cast<double>(round.result.retry_after_s.value_or(0))),
                batch};
    case K::AuthRefused:
    case K::Revoked:
        // Keep everything and ask again only rarely: the admin has to act.
        return {round.result.kind == K::Revoked ? P::Revoked : P::AuthRefused, config.retry_cap_seconds, batch};
    case K::Tls: return {P::Tls, backoff.next(), batch};
    case K::Unreachable: return {P::Unreachable, backoff.next(), batch};
    case K::ServerError: return {P::ServerError, backoff.next(), batch};
    case K::BadRequest:
    case K::BadReply: return {P::ServerCantRead, backoff.next(), batch};
    }
    return {P::ServerError, backoff.next(), batch};
}

std::string describe(Status::Problem p) {
    switch (p) {
    case Status::Problem::None: return "";
    case Status::Problem::NotSetUp: return "Delivery is not set up on this tablet; answers stay here safely.";
    case Status::Problem::BadSettings: return "The delivery settings are wrong; answers stay here safely.";
    case Status::Problem::Unreachable: return "Can't reach the server; answers stay here and are sent when it's back.";
    case Status::Problem::Tls: return "The server's certificate isn't trusted; nothing was sent. Ask your admin.";
    case Status::Problem::AuthRefused:
        return "The server refused this tablet's token. Ask your admin; answers stay here.";
    case Status::Problem::Revoked:
        return "This tablet was switched off at the server (its token was revoked). Answers stay here safely; an admin "
               "can enrol it again.";
    case Status::Problem::ServerBusy: return "The server is busy; answers will be sent shortly.";
    case Status::Problem::ServerError: return "The server had a problem; answers will be sent again.";
    case Status::Problem::ServerCantRead:
        return "The server could not read the answers. Ask your admin; they stay here.";
    case Status::Problem::Storage: return "Can't read the answers to send them. Ask your admin.";
    }
    return "";
}

namespace {
const flow::SystemClock kSystemClock;
} // namespace

Client::Client(std::filesystem::path db, Config config, std::function<void()> on_change, const flow::Clock* clock)
    : db_(std::move(db)), config_(std::move(config)), clock_(clock ? *clock : kSystemClock),
      on_change_(std::move(on_change)) {
    status_.configured = true;
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

Client::~Client() {
    thread_.request_stop();
    cv_.notify_all();
}

void Client::wake() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_all();
}

Status Client::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

void Client::set(const std::function<void(Status&)>& change) {
    bool differs = false;
    {
        std::lock_guard lock(mu_);
        Status before = status_;
        change(status_);
        differs = before.waiting != status_.waiting || before.problem != status_.problem ||
                  before.last_delivery_ms != status_.last_delivery_ms || before.refused != status_.refused ||
                  before.we_did != status_.we_did || before.we_did_problem != status_.we_did_problem;
    }
    if (differs && on_change_) on_change_();
}

bool Client::sleep(std::stop_token& stop, double seconds) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, std::chrono::duration<double>(seconds), [&] { return woken_; });
    woken_ = false;
    return !stop.stop_requested();
}

// The lanes' connections to the kiosk database, each with its own HTTP
// connection. Retried (with the backoff) until all are open; false if asked
// to stop first.
bool Client::open_lanes(std::stop_token& stop, std::vector<Lane>& lanes, Backoff& backoff) {
    while (!stop.stop_requested() && lanes.size() < kLanes) {
        auto opened = storage::Store::open(db_);
        // Its marks and deletes can be redone; nothing it writes waits for a disk flush.
        storage::StoreResult<void> relaxed = opened ? (*opened)->allow_redone_commits() : storage::StoreResult<void>{};
        if (opened && relaxed) {
            lanes.push_back({.store = std::move(*opened), .http = std::make_unique<Http>(config_)});
            lanes.back().http->cancel_when([&stop] { return stop.stop_requested(); });
            continue;
        }
        set([&](Status& s) {
            s.problem = Status::Problem::Storage;
            s.detail = opened ? relaxed.problem().detail : opened.problem().detail;
        });
        if (!sleep(stop, backoff.next())) return false;
    }
    backoff.reset();
    return !stop.stop_requested();
}

// One round: batches of the outbox, sent on kLanes lanes at once, each lane
// its own store connection and HTTP connection. A lane reads the next batch
// (after the last one either lane read), sends it and marks what was
// acknowledged, then reads the next; so while the collector stores one batch
// the other is already read, sent and waiting for it. The round ends at the
// end of the outbox, at the first trouble, or after kBatchesPerRound batches
// (so the status is told regularly). `after` moves past what was sent and
// answered; after any trouble it is reset, and the next round starts again
// from the oldest.
Round Client::deliver_next(std::vector<Lane>& lanes, std::size_t batch, std::optional<Prepared>& after) {
    static constexpr int kBatchesPerRound = 16;
    std::mutex mu; // guards everything below, shared by the lanes
    std::optional<Prepared> cursor = std::move(after);
    after.reset();
    bool first = true, done = false, failed = false;
    int left = kBatchesPerRound;
    Round total;
    total.result.kind = PostResult::Kind::Ok; // nothing waiting, until something is sent

    // The next batch for a lane, read under the lock so the lanes take turns
    // along the outbox; nullopt when the round is over.
    auto take = [&](storage::Store& s) -> std::optional<Prepared> {
        std::lock_guard lock(mu);
        if (done || failed || left == 0) return std::nullopt;
        Prepared p = prepare(s, batch, cursor ? &*cursor : nullptr);
        if (first && cursor && !p.storage && p.empty()) {
            // The end of the outbox: start again from the oldest, for anything
            // left unacknowledged. Only before anything of this round is in
            // flight, or it would be read again.
            cursor.reset();
            p = prepare(s, batch, nullptr);
        }
        first = false;
        if (p.storage) {
            failed = true;
            total.storage = p.storage;
            return std::nullopt;
        }
        if (p.empty()) {
            done = true;
            return std::nullopt;
        }
        --left;
        cursor = Prepared{.batch = {}, .last_started_ms = p.last_started_ms, .last_id = p.last_id, .storage = {}};
        return p;
    };
    auto lane = [&](storage::Store& s, Http& h) {
        while (auto p = take(s)) {
            const Round r = send(s, h, *p, clock_.wall_ms());
            std::lock_guard lock(mu);
            total.sent += r.sent;
            total.acknowledged += r.acknowledged;
            total.refused += r.refused;
            if (r.storage || r.result.kind != PostResult::Kind::Ok) {
                // The first trouble is the one told.
                if (!failed) {
                    total.storage = r.storage;
                    total.result = r.result;
                }
                failed = true;
            }
        }
    };
    // Joined before leaving: the lambdas' references stay valid.
    std::vector<std::future<void>> others;
    for (std::size_t i = 1; i < lanes.size(); ++i)
        others.push_back(std::async(std::launch::async, [&, i] { lane(*lanes[i].store, *lanes[i].http); }));
    lane(*lanes[0].store, *lanes[0].http);
    for (auto& o : others)
        o.get();
    if (!failed && total.sent > 0) after = std::move(cursor);
    return total;
}

// After a round: retention (what the endpoint has kept is deleted from the
// tablet once old enough, at once by default), then the status.
void Client::finish_round(storage::Store& store, Round round, Next next, const std::stop_token& stop) {
    const std::int64_t waiting = store.waiting().value_or(-1);
    const auto refused = store.refused();
    const std::int64_t at = clock_.wall_ms();
    auto tell = [&] {
        set([&](Status& s) {
            s.waiting = waiting;
            s.delivered += static_cast<std::int64_t>(round.acknowledged);
            if (refused) { // a count that failed keeps the last one
                s.refused = refused->count;
                s.refusal = refused->latest;
            }
            if (round.acknowledged > 0) s.last_delivery_ms = at;
            s.problem = next.problem;
            s.detail = round.storage ? round.storage->detail : round.result.detail;
            ++s.rounds;
        });
    };
    // Trouble is told at once; a round that went well, once what it
    // delivered is deleted too (so "nothing waiting" means nothing kept).
    const bool troubled = next.problem != Status::Problem::None;
    if (troubled) tell();
    // Retention, once the outbox is empty or delivery waits: not after every
    // batch of a backlog (deleting a batch cost as much as reading it, and a
    // backlog is deleted faster at once). 2,000 at a time, about 50 ms of
    // the file's write lock each, so a child's next answer never waits long
    // (500 a time took three times as long in all: each part rewrites most of
    // the answers' pages, their keys being random ids); no more once the
    // kiosk is closing (the next start goes on).
    static constexpr int kPurgedAtOnce = 2000;
    if (!round.storage && ((round.acknowledged > 0 && waiting == 0) || next.wait_s > 0)) {
        const auto keep_ms = static_cast<std::int64_t>(config_.keep_delivered_days * 86'400'000.0);
        while (!stop.stop_requested()) {
            auto purged = store.purge_delivered(at - keep_ms, kPurgedAtOnce);
            if (!purged) {
                next.problem = Status::Problem::Storage;
                round.storage = purged.problem();
                if (troubled) // told already: only the storage trouble now
                    set([&](Status& s) {
                        s.problem = next.problem;
                        s.detail = round.storage->detail;
                    });
                break;
            }
            if (*purged < kPurgedAtOnce) break;
        }
    }
    if (!troubled) tell();
}

void Client::look_for_we_did(Lane& lane, std::chrono::steady_clock::time_point& due) {
    const auto now = std::chrono::steady_clock::now();
    if (config_.publish_key.empty() || now < due) return;
    auto got = fetch_we_did(*lane.store, *lane.http, config_.publish_key);
    const bool failed = got.kind == WeDidFetch::Kind::Failed;
    due = now + (failed ? std::chrono::minutes(10) : std::chrono::hours(1));
    set([&](Status& s) {
        if (got.list) s.we_did = std::make_shared<const protocol::WeDidList>(std::move(*got.list));
        s.we_did_problem = failed ? got.detail : std::string();
    });
}

void Client::run(std::stop_token stop) {
    std::vector<Lane> lanes;
    Backoff backoff(config_.retry_start_seconds, config_.retry_cap_seconds);
    if (!open_lanes(stop, lanes, backoff)) return;
    std::size_t batch = static_cast<std::size_t>(config_.batch_size);
    std::optional<Prepared> after; // where the last round that went well ended in the outbox
    auto we_did_due = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
        const Round round = deliver_next(lanes, batch, after);
        const Next next = next_after(round, batch, config_, backoff);
        batch = next.batch;
        if (stop.stop_requested()) return; // what the round did is marked; nothing more to tell
        // After the answers, while the collector is answering: before the round is told, so a
        // round counted after the start has looked once.
        if (round.result.kind == PostResult::Kind::Ok && !round.storage) look_for_we_did(lanes[0], we_did_due);
        finish_round(*lanes[0].store, round, next, stop);
        if (next.wait_s > 0) {
            after.reset();
            if (!sleep(stop, next.wait_s)) return;
        }
    }
}

} // namespace sayso::sync

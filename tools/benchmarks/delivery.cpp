// Delivery benchmark helper.
//   sayso-bench-delivery fill DB N              a kiosk database with N finished responses, 8 answers each
//   sayso-bench-delivery fill-voice DB N        N finished responses, each a minute's recording and two faces
//   sayso-bench-delivery drain DB ENDPOINT TOKEN deliver them all; prints seconds and responses per second
#include "client.hpp"
#include "config.hpp"
#include "spoken.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <string>

using namespace sayso;

namespace {

int fill(const char* db, int n) {
    std::string device;
    {
        auto store = storage::Store::open(db);
        if (!store) return std::fprintf(stderr, "%s\n", store.problem().detail.c_str()), 1;
        device = (*store)->device_id();
    }
    // One transaction for the whole set: this prepares a backlog, it is not the kiosk's path.
    sqlite3* h = nullptr;
    sqlite3_open(db, &h);
    sqlite3_exec(h, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt *r = nullptr, *a = nullptr;
    sqlite3_prepare_v2(h,
                       "INSERT INTO responses (id, pack_id, pack_version, band, visit_type, language, device_id,"
                       " started_at, ended_at, state) VALUES (?1, 'after-my-visit', '1.0.0', '12-17', 'visit', 'en',"
                       " ?2, ?3, ?3 + 90000, 'complete')",
                       -1, &r, nullptr);
    sqlite3_prepare_v2(h,
                       "INSERT INTO answers (response_id, question_id, position, kind, measure, skipped, options,"
                       " text, answered_at) VALUES (?1, ?2, ?3, ?4, 'listened', 0, ?5, ?6, ?7)",
                       -1, &a, nullptr);
    for (int i = 0; i < n; ++i) {
        const std::string id = flow::random_id();
        const sqlite3_int64 at = 1'700'000'000'000 + i * 1000LL;
        sqlite3_bind_text(r, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(r, 2, device.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(r, 3, at);
        sqlite3_step(r);
        sqlite3_reset(r);
        for (int q = 0; q < 8; ++q) {
            const std::string qid = "q" + std::to_string(q);
            const bool text = q == 7;
            sqlite3_bind_text(a, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(a, 2, qid.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(a, 3, q);
            sqlite3_bind_text(a, 4, text ? "text" : "faces", -1, SQLITE_STATIC);
            sqlite3_bind_text(a, 5, text ? "[]" : "[\"happy\"]", -1, SQLITE_STATIC);
            sqlite3_bind_text(a, 6, text ? "My worker listens to me and explains things." : "", -1, SQLITE_STATIC);
            sqlite3_bind_int64(a, 7, at + q * 10000);
            sqlite3_step(a);
            sqlite3_reset(a);
        }
    }
    sqlite3_finalize(r);
    sqlite3_finalize(a);
    const int rc = sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    return rc == SQLITE_OK ? 0 : 1;
}

// Responses as a child who spoke for a minute leaves them, through the kiosk's own store (each answer durable).
int fill_voice(const char* db, int n) {
    const auto minute = bench::spoken(60.0);
    if (!minute) return std::fprintf(stderr, "espeak-ng could not speak\n"), 1;
    recording::Take take(60);
    take.add(minute->data(), minute->size());
    auto ogg = take.ogg();
    if (!ogg) return std::fprintf(stderr, "%s\n", ogg.words().c_str()), 1;
    auto store = storage::Store::open(db);
    if (!store) return std::fprintf(stderr, "%s\n", store.problem().detail.c_str()), 1;
    for (int i = 0; i < n; ++i) {
        flow::ResponseStart start{.id = flow::random_id(),
                                  .pack_id = "after-my-visit",
                                  .pack_version = "1.0.0",
                                  .band = "12-17",
                                  .visit_type = "visit",
                                  .language = "en",
                                  .started_at_ms = 1'700'000'000'000 + i * 1000LL};
        if (!(*store)->begin(start)) return 1;
        flow::AnswerRecord faces{.question_id = "listened", .kind = "faces", .options = {"happy"}};
        flow::AnswerRecord voice{.question_id = "my-voice", .position = 1, .kind = "voice"};
        voice.media = *ogg;
        voice.media_type = "audio/ogg";
        flow::AnswerRecord more{.question_id = "help", .position = 2, .kind = "faces", .options = {"ok"}};
        for (auto* a : {&faces, &voice, &more}) {
            a->answered_at_ms = start.started_at_ms + 10'000 * (a->position + 1);
            if (auto kept = (*store)->record(start.id, *a); !kept)
                return std::fprintf(stderr, "%s\n", kept.problem().detail.c_str()), 1;
        }
        if (!(*store)->finish(start.id, flow::Completion::Complete, start.started_at_ms + 120'000)) return 1;
    }
    std::printf("{\"ogg_bytes\": %zu}\n", ogg->size());
    return 0;
}

// Drains through the kiosk's own delivery client, timing until the outbox is empty.
int drain(const char* db, const char* endpoint, const char* token) {
    auto config =
        sync::parse_config(std::string("{\"endpoint\": \"") + endpoint + "\", \"token\": \"" + token + "\"}", "bench");
    if (!config) return std::fprintf(stderr, "%s\n", config.words().c_str()), 2;
    std::mutex mu;
    std::condition_variable cv;
    const auto t0 = std::chrono::steady_clock::now();
    sync::Client client(db, *config, [&] { cv.notify_all(); });
    sync::Status s;
    {
        std::unique_lock lock(mu);
        for (;;) {
            s = client.status();
            if (s.waiting == 0 || s.problem != sync::Status::Problem::None) break;
            cv.wait_for(lock, std::chrono::milliseconds(50));
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s.problem != sync::Status::Problem::None) {
        std::fprintf(stderr, "delivery failed: %s\n", s.detail.c_str());
        return 1;
    }
    std::printf("{\"responses\": %lld, \"rounds\": %llu, \"seconds\": %.3f, \"per_second\": %.0f}\n",
                static_cast<long long>(s.delivered), static_cast<unsigned long long>(s.rounds), secs,
                static_cast<double>(s.delivered) / secs);
    return 0;
}

// Sends until the outbox is empty, through whatever goes wrong on the way
// (a collector killed, a connection cut), retrying quickly: the sender of
// the delivery crash campaign (tools/chaos-delivery), killed at random itself.
int send(const char* db, const char* endpoint, const char* token) {
    auto config = sync::parse_config(nlohmann::json{{"endpoint", endpoint},
                                                    {"token", token},
                                                    {"batch_size", 50},
                                                    {"interval_seconds", 0.05},
                                                    {"retry_start_seconds", 0.05},
                                                    {"retry_cap_seconds", 0.3},
                                                    {"connect_timeout_seconds", 2},
                                                    {"timeout_seconds", 5}}
                                         .dump(),
                                     "chaos");
    if (!config) return std::fprintf(stderr, "%s\n", config.words().c_str()), 2;
    std::mutex mu;
    std::condition_variable cv;
    sync::Client client(db, *config, [&] { cv.notify_all(); });
    std::unique_lock lock(mu);
    while (client.status().waiting != 0)
        cv.wait_for(lock, std::chrono::milliseconds(50));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "fill") return fill(argv[2], std::atoi(argv[3]));
    if (argc == 4 && std::string(argv[1]) == "fill-voice") return fill_voice(argv[2], std::atoi(argv[3]));
    if (argc == 5 && std::string(argv[1]) == "drain") return drain(argv[2], argv[3], argv[4]);
    if (argc == 5 && std::string(argv[1]) == "send") return send(argv[2], argv[3], argv[4]);
    std::fprintf(stderr,
                 "usage: sayso-bench-delivery fill DB N | fill-voice DB N | drain DB ENDPOINT TOKEN | send DB ENDPOINT "
                 "TOKEN\n");
    return 2;
}

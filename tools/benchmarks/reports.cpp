// Makes a large, realistic collector store for the reports benchmark:
//   sayso-bench-reports STORE ANSWERS [DEVICES]
// or times the service view on one already made (as an admin, no filters):
//   sayso-bench-reports STORE time [RUNS] [CONNECTIONS]
// DEVICES tablets (200 by default), each in one of five service areas with two
// practitioners, send responses over 24 months from about 30,000 children,
// about 7 answers each, until there are ANSWERS answers. Then the report index
// is built. Prints one JSON line: answers, responses, seconds to store, seconds to index.
#include "index.hpp"
#include "store.hpp"
#include "views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

using namespace sayso::collector;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: sayso-bench-reports STORE ANSWERS [DEVICES]\n");
        return 2;
    }
    const std::string spec = argv[1];
    if (std::string(argv[2]) == "time") {
        const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
        const int connections = argc > 4 ? std::atoi(argv[4]) : 2;
        auto opened = open_store(spec);
        const std::string err = opened.words();
        auto main_store = std::move(opened).value_or(nullptr);
        std::vector<std::unique_ptr<Store>> more;
        std::vector<Store*> pool;
        for (int i = 1; main_store && i < connections; ++i) {
            more.push_back(open_store(spec).value_or(nullptr));
            if (!more.back()) break;
            pool.push_back(more.back().get());
        }
        if (!main_store || (!more.empty() && !more.back())) {
            std::fprintf(stderr, "sayso-bench-reports: %s\n", err.c_str());
            return 1;
        }
        std::vector<double> ms;
        for (int i = 0; i < runs; ++i) {
            const auto t = std::chrono::steady_clock::now();
            const auto v = reports::service_view(*main_store, pool, {"bench", "admin", "", ""}, {}, 5, {});
            if (!v) {
                std::fprintf(stderr, "sayso-bench-reports: %s\n", v.problem().message.c_str());
                return 1;
            }
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
        }
        std::sort(ms.begin(), ms.end());
        std::cout << nlohmann::json{{"runs", runs},
                                    {"connections", connections},
                                    {"min_ms", ms.front()},
                                    {"median_ms", ms[ms.size() / 2]},
                                    {"max_ms", ms.back()}}
                         .dump()
                  << std::endl;
        return 0;
    }
    const long long want = std::atoll(argv[2]);
    const int devices = argc > 3 ? std::atoi(argv[3]) : 200;
    auto opened = open_store(spec);
    if (!opened) {
        std::fprintf(stderr, "sayso-bench-reports: %s\n", opened.words().c_str());
        return 1;
    }
    auto store = std::move(*opened);
    static const char* areas[] = {"early-help", "child-protection", "children-in-care", "care-leavers",
                                  "disabled-children"};
    static const char* bands[] = {"4-7", "8-11", "12-17", "16-25"};
    static const char* visits[] = {"assessment", "plan", "review", "visit"};
    static const char* faces[] = {"very_sad", "sad", "ok", "happy", "very_happy"};
    static const char* yes_no[] = {"no", "not_sure", "yes"};
    static const char* picks[] = {"talk-more", "explain", "on-my-own", "fun", "home", "worry"};
    static const char* words[] = {"More time to talk please", "I like my worker", "I want to see my brother more",
                                  "Meetings are too long", "Thank you for listening"};
    std::mt19937_64 rng(20261123);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    for (int d = 0; d < devices; ++d) {
        const auto kept = store->query("INSERT INTO device_services (name, service_area) VALUES (?, ?)"
                                       " ON CONFLICT (name) DO UPDATE SET service_area = excluded.service_area",
                                       {"tablet-" + std::to_string(d), std::string(areas[d % 5])});
        if (!kept) {
            std::fprintf(stderr, "sayso-bench-reports: %s\n", kept.problem().message.c_str());
            return 1;
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    long long answers = 0, responses = 0;
    std::vector<std::vector<Response>> batches(static_cast<std::size_t>(devices));
    auto flush = [&](int d) -> bool {
        auto& b = batches[static_cast<std::size_t>(d)];
        if (b.empty()) return true;
        if (auto stored = store->insert("tablet-" + std::to_string(d), b); !stored) {
            std::fprintf(stderr, "sayso-bench-reports: %s\n", stored.problem().message.c_str());
            return false;
        }
        b.clear();
        return true;
    };
    // The next response, from tablet `d`.
    auto make = [&](int d) {
        Response r;
        char id[33];
        std::snprintf(id, sizeof id, "%032llx", static_cast<unsigned long long>(responses + 1));
        r.id = id;
        r.device_id = "device-" + std::to_string(d);
        r.pack_id = "after-my-visit";
        r.pack_version = "1.0.0";
        r.band = bands[pick(4)];
        r.visit_type = visits[pick(4)];
        r.language = "en";
        const int month = pick(24);
        char day[48]; // room for any int the compiler imagines
        std::snprintf(day, sizeof day, "%04d-%02d-%02dT10:00:00.000Z", 2025 + month / 12, month % 12 + 1, 1 + pick(28));
        r.started_at = day;
        r.ended_at = day;
        r.state = pick(10) == 0 ? "incomplete" : "complete";
        r.asked_to_talk = pick(50) == 0;
        r.practitioner_code = "SW-" + std::to_string(d * 2 + pick(2));
        r.case_ref = pick(8) == 0 ? "" : "C-" + std::to_string(100000 + pick(30000));
        const int mood = pick(3); // some children are happier than others
        auto face = [&] { return std::string(faces[std::min(4, pick(3) + mood)]); };
        struct Q {
            const char* id;
            const char* kind;
            const char* measure;
        };
        static const Q qs[] = {{"listened", "faces", "listened"},          {"knows-me", "faces", "knows_me"},
                               {"decisions", "faces", "involved"},         {"promises", "yes_no", "keeps_promises"},
                               {"explained", "yes_no", "explained"},       {"help", "faces", "help_good"},
                               {"better", "pick_many", "better_services"}, {"anything-else", "text", ""}};
        int pos = 0;
        for (const auto& q : qs) {
            if (std::string(q.kind) == "text" && pick(3) != 0) continue;
            Answer a;
            a.question_id = q.id;
            a.position = pos++;
            a.kind = q.kind;
            a.measure = q.measure;
            a.answered_at = day;
            a.skipped = pick(12) == 0;
            if (!a.skipped) {
                if (a.kind == "faces")
                    a.options = {face()};
                else if (a.kind == "yes_no")
                    a.options = {yes_no[std::min(2, pick(2) + mood / 2)]};
                else if (a.kind == "pick_many")
                    a.options = {picks[pick(6)], picks[pick(6)]};
                else
                    a.text = words[pick(5)];
            }
            r.answers.push_back(a);
        }
        answers += static_cast<long long>(r.answers.size());
        ++responses;
        return r;
    };
    while (answers < want) {
        const int d = pick(devices);
        Response r = make(d);
        batches[static_cast<std::size_t>(d)].push_back(std::move(r));
        if (batches[static_cast<std::size_t>(d)].size() == 500 && !flush(d)) return 1;
    }
    for (int d = 0; d < devices; ++d)
        if (!flush(d)) return 1;
    const auto t1 = std::chrono::steady_clock::now();
    if (auto done = reports::index_new(*store, {}); !done) {
        std::fprintf(stderr, "sayso-bench-reports: %s\n", done.problem().message.c_str());
        return 1;
    }
    const auto t2 = std::chrono::steady_clock::now();
    // Then one tablet's day (20 more responses), indexed as the next page view would.
    for (int i = 0; i < 20; ++i)
        batches[0].push_back(make(0));
    if (!flush(0)) return 1;
    const auto t3 = std::chrono::steady_clock::now();
    if (auto done = reports::index_new(*store, {}); !done) {
        std::fprintf(stderr, "sayso-bench-reports: %s\n", done.problem().message.c_str());
        return 1;
    }
    const auto t4 = std::chrono::steady_clock::now();
    std::cout << nlohmann::json{{"answers", answers},
                                {"responses", responses},
                                {"store_s", std::chrono::duration<double>(t1 - t0).count()},
                                {"index_s", std::chrono::duration<double>(t2 - t1).count()},
                                {"again_ms", std::chrono::duration<double, std::milli>(t4 - t3).count()}}
                     .dump()
              << std::endl;
    return 0;
}
